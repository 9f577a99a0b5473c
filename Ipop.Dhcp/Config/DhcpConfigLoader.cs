using System.Globalization;
using System.Net;
using System.Xml.Linq;
using Brunet.Config;
using Ipop.Dhcp.Leases;

namespace Ipop.Dhcp.Config;

/// <summary>
/// Loads dhcp.config (<c>&lt;DHCPConfig&gt;</c>, Brunet's element names) into a validated <see cref="DhcpConfig"/>.
/// Unknown elements become warnings; a missing or bad value is an <see cref="ConfigException"/>.
/// </summary>
public static class DhcpConfigLoader
{
    public const string RootElement = "DHCPConfig";

    public const int MinPrefixLength = 8;

    /// <summary>A /30 leaves one address besides network, gateway and broadcast.</summary>
    public const int MaxPrefixLength = 30;

    public const int MaxNamespaceLength = 64;

    public const int MaxReservedIPs = 4096;

    private static readonly string[] s_rootElements = ["Namespace", "IPBase", "Netmask", "LeaseTime", "ReservedIPs"];
    private static readonly string[] s_reservedElements = ["IPAddress"];

    // Brunet's DHCPConfig carried these; old files keep loading with a warning.
    private static readonly string[] s_retiredRootElements = ["LogSize", "Dhcp"];

    /// <exception cref="ConfigException">The file is missing, unreadable, not XML, or a value is bad.</exception>
    public static DhcpConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ConfigReader.ReadFileText(path, RootElement), path);
    }

    /// <summary>Validates config text as if read from <paramref name="filePath"/> (which messages name).</summary>
    /// <exception cref="ConfigException">The text is not XML, has another root element, or a value is bad.</exception>
    public static DhcpConfig Parse(string xmlText, string filePath)
    {
        ArgumentNullException.ThrowIfNull(xmlText);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ConfigReader reader = new(filePath);
        XElement root = reader.ParseRoot(xmlText, RootElement);
        reader.CheckChildren(root, s_rootElements, s_retiredRootElements);

        string ns = ReadNamespace(reader, root, "Namespace");
        XElement netmaskElement = reader.Single(root, "Netmask") ?? throw reader.Missing(root, "Netmask", "a netmask such as 255.255.0.0");
        IPAddress netmask = reader.ReadIPv4(netmaskElement, "a netmask");
        uint mask = Ipv4Math.ToUInt32(netmask);
        int prefix = Ipv4Math.PrefixLength(mask);
        if (prefix < MinPrefixLength || prefix > MaxPrefixLength)
        {
            throw reader.Error(netmaskElement, prefix < 0
                ? $"expected a contiguous netmask (ones then zeros), got {netmask}"
                : $"expected a netmask from /{MinPrefixLength} (255.0.0.0) to /{MaxPrefixLength} (255.255.255.252), got /{prefix}");
        }

        XElement baseElement = reader.Single(root, "IPBase") ?? throw reader.Missing(root, "IPBase", "the range's network address such as 100.64.0.0");
        IPAddress ipBase = reader.ReadIPv4(baseElement, "the range's network address");
        uint network = Ipv4Math.ToUInt32(ipBase);
        if ((network & ~mask) != 0)
        {
            throw reader.Error(baseElement, $"expected the network address of the range (host bits zero under /{prefix}), got {ipBase}; did you mean {Ipv4Math.ToAddress(network & mask)}?");
        }

        int leaseTime = DhcpConfig.DefaultLeaseTime;
        if (reader.Single(root, "LeaseTime") is { } leaseElement)
        {
            string text = reader.Text(leaseElement);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out leaseTime) || leaseTime < DhcpConfig.MinLeaseTime)
            {
                throw reader.Error(leaseElement, $"expected a number of seconds >= {DhcpConfig.MinLeaseTime}, got {ConfigReader.Quote(text)}");
            }
        }

        return new DhcpConfig
        {
            FilePath = Path.GetFullPath(filePath),
            Namespace = ns,
            IPBase = ipBase,
            Netmask = netmask,
            LeaseTime = leaseTime,
            ReservedIPs = ReadReserved(reader, root, network, mask),
            Warnings = reader.Warnings.ToArray(),
        };
    }

    internal static string ReadNamespace(ConfigReader reader, XElement root, string name)
    {
        XElement element = reader.Single(root, name)
            ?? throw reader.Missing(root, name, $"the IPOP namespace, e.g. <{name}>demo</{name}>");
        string value = reader.Text(element);
        if (value.Length == 0 || value.Length > MaxNamespaceLength)
        {
            throw reader.Error(element, $"expected a name of 1-{MaxNamespaceLength} characters, got {value.Length}");
        }
        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw reader.Error(element, $"expected a name without spaces or control characters, got {ConfigReader.Quote(value)}");
        }
        return value;
    }

    private static IPAddress[] ReadReserved(ConfigReader reader, XElement root, uint network, uint mask)
    {
        if (reader.Single(root, "ReservedIPs") is not { } list)
        {
            return [];
        }
        reader.CheckChildren(list, s_reservedElements);
        List<IPAddress> reserved = [];
        foreach (XElement element in ConfigReader.All(list, "IPAddress"))
        {
            IPAddress address = reader.ReadIPv4(element, "a reserved address inside the range");
            uint value = Ipv4Math.ToUInt32(address);
            if ((value & mask) != network)
            {
                throw reader.Error(element, $"expected an address inside {Ipv4Math.ToAddress(network)}/{Ipv4Math.PrefixLength(mask)}, got {address}");
            }
            if (value == network || value == (network | ~mask) || value == network + 1)
            {
                reader.Warn(element, ConfigReader.PathOf(element), $"{address} is the network, gateway or broadcast address, which is never leased anyway");
                continue;
            }
            if (reserved.Contains(address))
            {
                reader.Warn(element, ConfigReader.PathOf(element), $"duplicate {address}, ignored");
                continue;
            }
            if (reserved.Count == MaxReservedIPs)
            {
                throw reader.Error(element, $"expected at most {MaxReservedIPs} reserved addresses");
            }
            reserved.Add(address);
        }
        return reserved.ToArray();
    }
}
