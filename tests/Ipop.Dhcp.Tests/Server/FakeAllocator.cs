using System.Net;
using System.Net.NetworkInformation;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;

namespace Ipop.Dhcp.Tests.Server;

/// <summary>An in-memory allocator over an <see cref="AddressPool"/>: one address per MAC, first come first served.</summary>
internal sealed class FakeAllocator(AddressPool pool) : IAddressAllocator
{
    public Dictionary<IPAddress, PhysicalAddress> Holders { get; } = [];

    public HashSet<IPAddress> Declined { get; } = [];

    public List<string> Calls { get; } = [];

    public Task<IPAddress?> AllocateAsync(PhysicalAddress mac, IPAddress? requested, CancellationToken cancellationToken)
    {
        Calls.Add($"allocate {mac} {requested}");
        if (HeldBy(mac) is { } held)
        {
            return Task.FromResult<IPAddress?>(held);
        }
        if (requested is not null && IsFree(requested))
        {
            Holders[requested] = mac;
            return Task.FromResult<IPAddress?>(requested);
        }
        IPAddress? picked = pool.PickRandom(a => !IsFree(a));
        if (picked is not null)
        {
            Holders[picked] = mac;
        }
        return Task.FromResult(picked);
    }

    public Task<bool> RenewAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken)
    {
        Calls.Add($"renew {mac} {address}");
        if (Holders.TryGetValue(address, out PhysicalAddress? holder))
        {
            return Task.FromResult(holder.Equals(mac));
        }
        if (Declined.Contains(address))
        {
            return Task.FromResult(false);
        }
        Holders[address] = mac;
        return Task.FromResult(true);
    }

    public Task ReleaseAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken)
    {
        Calls.Add($"release {mac} {address}");
        if (Holders.TryGetValue(address, out PhysicalAddress? holder) && holder.Equals(mac))
        {
            Holders.Remove(address);
        }
        return Task.CompletedTask;
    }

    public Task DeclineAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken)
    {
        Calls.Add($"decline {mac} {address}");
        Holders.Remove(address);
        Declined.Add(address);
        return Task.CompletedTask;
    }

    private IPAddress? HeldBy(PhysicalAddress mac) => Holders.FirstOrDefault(h => h.Value.Equals(mac)).Key;

    private bool IsFree(IPAddress address) => !Holders.ContainsKey(address) && !Declined.Contains(address) && pool.IsLeasable(address);
}
