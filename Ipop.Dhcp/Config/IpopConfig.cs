using System.Net;

namespace Ipop.Dhcp.Config;

/// <summary>ipop.config (<c>&lt;IpopConfig&gt;</c>): the virtual network this node joins. Load with <see cref="IpopConfigLoader"/>.</summary>
public sealed record IpopConfig
{
    public const string DefaultDeviceName = "tapipop";

    /// <summary>The absolute path the config was read from.</summary>
    public string FilePath { get; init; } = "";

    /// <summary>The virtual network's name on the overlay; lease keys are <c>dhcp:&lt;IpopNamespace&gt;:&lt;ip&gt;</c>.</summary>
    public required string IpopNamespace { get; init; }

    /// <summary>The TAP device's name (1-15 characters, Linux IFNAMSIZ). Defaults to tapipop.</summary>
    public string VirtualNetworkDevice { get; init; } = DefaultDeviceName;

    /// <summary>AddressData/Hostname: this host's DNS name inside the VPN (<c>&lt;Hostname&gt;.ipop</c>), or null.</summary>
    public string? Hostname { get; init; }

    /// <summary>Carry broadcast and multicast inside the virtual network. Defaults to true.</summary>
    public bool EnableMulticast { get; init; } = true;

    /// <summary>Accepted for Brunet compatibility; VPN traffic is always encrypted.</summary>
    public bool EndToEndSecurity { get; init; }

    /// <summary>Whether hosts may use a statically configured address instead of a DHCP lease. Defaults to false.</summary>
    public bool AllowStaticAddresses { get; init; }

    /// <summary>This host's static virtual address, used only with <see cref="AllowStaticAddresses"/>.</summary>
    public IPAddress? StaticAddress { get; init; }

    public GroupVpnConfig GroupVpn { get; init; } = new();

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
