using System.Net;
using Ipop.Dhcp.Config;

namespace Ipop.Dhcp.Leases;

/// <summary>
/// The addresses of a virtual network that may be leased: the range IPBase/Netmask minus the network address, the
/// broadcast address, the gateway (network + 1, Brunet's x.y.z.1, where this node's DHCP server, DNS and ARP answers
/// live) and the configured reserved addresses. Picks candidates at random so that hosts starting together rarely
/// race for one DHT key. Knows nothing of the DHT: the caller says which addresses are taken.
/// </summary>
public sealed class AddressPool
{
    /// <summary>Random draws before <see cref="PickRandom"/> falls back to a scan, which finds the last free address of a nearly full range.</summary>
    private const int RandomAttempts = 64;

    private readonly uint _network;
    private readonly uint _mask;
    private readonly HashSet<uint> _reserved;
    private readonly Random _random;

    /// <param name="random">Seeded by the caller (tests print the seed); not used for anything secret.</param>
    /// <exception cref="ArgumentException">The netmask is not contiguous or longer than /30, IPBase has host bits, or a reserved address is outside the range.</exception>
    public AddressPool(IPAddress ipBase, IPAddress netmask, IEnumerable<IPAddress> reserved, Random random)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        ArgumentNullException.ThrowIfNull(random);
        _mask = Ipv4Math.ToUInt32(netmask);
        PrefixLength = Ipv4Math.PrefixLength(_mask);
        if (PrefixLength is < 0 or > DhcpConfigLoader.MaxPrefixLength)
        {
            throw new ArgumentException($"Expected a contiguous netmask of at most /{DhcpConfigLoader.MaxPrefixLength}, got {netmask}.", nameof(netmask));
        }
        _network = Ipv4Math.ToUInt32(ipBase);
        if ((_network & ~_mask) != 0)
        {
            throw new ArgumentException($"{ipBase} has host bits set under /{PrefixLength}.", nameof(ipBase));
        }
        _reserved = [];
        foreach (IPAddress address in reserved)
        {
            uint value = Ipv4Math.ToUInt32(address);
            if ((value & _mask) != _network)
            {
                throw new ArgumentException($"Reserved address {address} is outside {ipBase}/{PrefixLength}.", nameof(reserved));
            }
            if (IsStructural(value))
            {
                continue;
            }
            _reserved.Add(value);
        }
        _random = random;
    }

    public int PrefixLength { get; }

    public IPAddress Network => Ipv4Math.ToAddress(_network);

    public IPAddress Netmask => Ipv4Math.ToAddress(_mask);

    public IPAddress Broadcast => Ipv4Math.ToAddress(_network | ~_mask);

    /// <summary>network + 1: the virtual gateway, DHCP server identifier and DNS server.</summary>
    public IPAddress Gateway => Ipv4Math.ToAddress(_network + 1);

    /// <summary>How many addresses may be leased: the range's size less network, gateway, broadcast and reserved.</summary>
    public long LeasableCount => (1L << (32 - PrefixLength)) - 3 - _reserved.Count;

    public static AddressPool FromConfig(DhcpConfig config, Random random)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new AddressPool(config.IPBase, config.Netmask, config.ReservedIPs, random);
    }

    /// <summary>Whether <paramref name="address"/> lies inside the range (any address of it, the gateway included).</summary>
    public bool Contains(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (Ipv4Math.ToUInt32(address) & _mask) == _network;

    /// <summary>Whether <paramref name="address"/> may be leased to a host.</summary>
    public bool IsLeasable(IPAddress address)
    {
        if (!Contains(address))
        {
            return false;
        }
        uint value = Ipv4Math.ToUInt32(address);
        return !IsStructural(value) && !_reserved.Contains(value);
    }

    /// <summary>
    /// A random leasable address for which <paramref name="isTaken"/> says false, or null when every leasable
    /// address is taken (the pool is exhausted).
    /// </summary>
    public IPAddress? PickRandom(Func<IPAddress, bool> isTaken)
    {
        ArgumentNullException.ThrowIfNull(isTaken);
        uint size = ~_mask + 1;     // 4 or more, since the prefix is at most /30
        for (int attempt = 0; attempt < RandomAttempts; attempt++)
        {
            uint value = _network + (uint)_random.NextInt64(size);
            if (IsFree(value, isTaken))
            {
                return Ipv4Math.ToAddress(value);
            }
        }
        uint start = (uint)_random.NextInt64(size);
        for (uint offset = 0; offset < size; offset++)
        {
            uint value = _network + ((start + offset) & ~_mask);
            if (IsFree(value, isTaken))
            {
                return Ipv4Math.ToAddress(value);
            }
        }
        return null;
    }

    private bool IsFree(uint value, Func<IPAddress, bool> isTaken) =>
        !IsStructural(value) && !_reserved.Contains(value) && !isTaken(Ipv4Math.ToAddress(value));

    private bool IsStructural(uint value) => value == _network || value == _network + 1 || value == (_network | ~_mask);
}
