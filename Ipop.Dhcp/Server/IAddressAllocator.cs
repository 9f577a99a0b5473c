using System.Net;
using System.Net.NetworkInformation;

namespace Ipop.Dhcp.Server;

/// <summary>
/// Hands out virtual addresses for <see cref="DhcpServer"/>. The real one creates <c>dhcp:&lt;ns&gt;:&lt;ip&gt;</c> in
/// the DHT (so calls take network round trips); tests use an in-memory one. Clients are told apart by MAC.
/// </summary>
public interface IAddressAllocator
{
    /// <summary>
    /// Obtains an address for <paramref name="mac"/> for a full lease: the one it already holds, else
    /// <paramref name="requested"/> when that is free, else a random free one. Null when none can be had.
    /// </summary>
    Task<IPAddress?> AllocateAsync(PhysicalAddress mac, IPAddress? requested, CancellationToken cancellationToken);

    /// <summary>
    /// Confirms <paramref name="address"/> for <paramref name="mac"/> for another full lease (obtaining it if it is
    /// free). False when someone else holds it.
    /// </summary>
    Task<bool> RenewAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken);

    /// <summary>Gives up <paramref name="address"/> if <paramref name="mac"/> holds it; otherwise does nothing.</summary>
    Task ReleaseAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// The client found <paramref name="address"/> in use (DHCPDECLINE, RFC 2131 §4.3.3): release it and do not
    /// offer it again for a while.
    /// </summary>
    Task DeclineAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken);
}
