using System.Net;
using Ipop.Dhcp.Config;
using Ipop.Dhcp.Leases;

namespace Ipop.Dhcp.Server;

/// <summary>What <see cref="DhcpServer"/> tells clients. The gateway (x.y.z.1 of the range) is server, router and DNS server.</summary>
public sealed record DhcpServerOptions
{
    // RFC 2132 §5.1 (option 26). Brunet's 1200 leaves room for outer IP/UDP, routing and AEAD headers, and relay hops.
    public const ushort DefaultMtu = 1200;

    public const string DefaultDomainName = "ipop";

    /// <summary>The range: its gateway, netmask and which addresses a client may hold.</summary>
    public required AddressPool Pool { get; init; }

    /// <summary>Seconds (option 51). T1 is half of it and T2 seven eighths (RFC 2131 §4.4.5).</summary>
    public required uint LeaseTime { get; init; }

    /// <summary>Option 26, bytes.</summary>
    public ushort Mtu { get; init; } = DefaultMtu;

    /// <summary>Option 15: names in the VPN are <c>&lt;host&gt;.ipop</c>.</summary>
    public string DomainName { get; init; } = DefaultDomainName;

    /// <summary>Option 54 and the source of replies: the gateway.</summary>
    public IPAddress ServerAddress => Pool.Gateway;

    public uint RenewalTime => LeaseTime / 2;

    public uint RebindingTime => (uint)(LeaseTime * 7UL / 8);

    public static DhcpServerOptions FromConfig(DhcpConfig config, AddressPool pool)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new DhcpServerOptions { Pool = pool, LeaseTime = (uint)config.LeaseTime };
    }
}
