using System.Net;
using Ipop.Dhcp.Leases;

namespace Ipop.Dhcp.Config;

/// <summary>dhcp.config (<c>&lt;DHCPConfig&gt;</c>): the virtual network's address range and lease time. Load with <see cref="DhcpConfigLoader"/>.</summary>
public sealed record DhcpConfig
{
    public const int DefaultLeaseTime = 3600;

    /// <summary>Seconds. Each renewal costs a DHT Create, and the OS client renews at half the lease.</summary>
    public const int MinLeaseTime = 60;

    /// <summary>The absolute path the config was read from; relative paths resolve against its folder.</summary>
    public string FilePath { get; init; } = "";

    /// <summary>The IPOP namespace this range belongs to: lease keys are <c>dhcp:&lt;Namespace&gt;:&lt;ip&gt;</c>.</summary>
    public required string Namespace { get; init; }

    /// <summary>The network address of the range, e.g. 100.64.0.0 (host bits zero under <see cref="Netmask"/>).</summary>
    public required IPAddress IPBase { get; init; }

    /// <summary>A contiguous netmask, /8 to /30, e.g. 255.255.0.0.</summary>
    public required IPAddress Netmask { get; init; }

    /// <remarks>Seconds. Defaults to 3600; at least 60, since each renewal costs a DHT Create.</remarks>
    public int LeaseTime { get; init; } = DefaultLeaseTime;

    /// <summary>Addresses in the range that are never leased (besides network, gateway and broadcast).</summary>
    public IReadOnlyList<IPAddress> ReservedIPs { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public int PrefixLength => Ipv4Math.PrefixLength(Ipv4Math.ToUInt32(Netmask));

    /// <summary>Brunet's rule: the first address after the network address (x.y.z.1) is the virtual gateway, DHCP server and DNS server.</summary>
    public IPAddress Gateway => Ipv4Math.ToAddress(Ipv4Math.ToUInt32(IPBase) + 1);
}
