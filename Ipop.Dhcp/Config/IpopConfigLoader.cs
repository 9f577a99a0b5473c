using System.Xml.Linq;
using Brunet.Config;

namespace Ipop.Dhcp.Config;

/// <summary>
/// Loads ipop.config (<c>&lt;IpopConfig&gt;</c>, Brunet's element names) into a validated <see cref="IpopConfig"/>.
/// Relative paths resolve against the config file's folder. Unknown elements become warnings; a missing or bad
/// value is an <see cref="ConfigException"/>.
/// </summary>
public static class IpopConfigLoader
{
    public const string RootElement = "IpopConfig";

    /// <summary>Linux IFNAMSIZ is 16 with the terminating NUL.</summary>
    public const int MaxDeviceNameLength = 15;

    /// <summary>A DNS label (RFC 1035 §2.3.4).</summary>
    public const int MaxHostnameLength = 63;

    private static readonly string[] s_rootElements =
    [
        "IpopNamespace", "VirtualNetworkDevice", "AddressData", "EnableMulticast", "EndToEndSecurity",
        "AllowStaticAddresses", "StaticAddress", "GroupVPN",
    ];

    // Brunet's ipop.config had these; it wrote the leased address back into AddressData. We keep the last lease in
    // a lease file instead, so these are accepted and ignored.
    private static readonly string[] s_retiredRootElements = ["DHCPPort", "Dhcp", "RpcDht"];
    private static readonly string[] s_addressDataElements = ["Hostname"];
    private static readonly string[] s_retiredAddressDataElements = ["IPAddress", "Netmask", "EthernetAddress", "DhtKey"];
    private static readonly string[] s_groupVpnElements = ["Enabled", "AuthorityCertificate", "Certificate", "KeyPath"];

    /// <exception cref="ConfigException">The file is missing, unreadable, not XML, or a value is bad.</exception>
    public static IpopConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ConfigReader.ReadFileText(path, RootElement), path);
    }

    /// <summary>Validates config text as if read from <paramref name="filePath"/>: messages name it and relative paths resolve against its folder.</summary>
    /// <exception cref="ConfigException">The text is not XML, has another root element, or a value is bad.</exception>
    public static IpopConfig Parse(string xmlText, string filePath)
    {
        ArgumentNullException.ThrowIfNull(xmlText);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ConfigReader reader = new(filePath);
        XElement root = reader.ParseRoot(xmlText, RootElement);
        reader.CheckChildren(root, s_rootElements, s_retiredRootElements);
        string folder = ConfigReader.FolderOf(filePath);

        bool allowStatic = reader.ReadBool(root, "AllowStaticAddresses", false);
        System.Net.IPAddress? staticAddress = null;
        if (reader.Single(root, "StaticAddress") is { } staticElement && reader.Text(staticElement).Length > 0)
        {
            staticAddress = reader.ReadIPv4(staticElement, "this host's static virtual address");
            if (!allowStatic)
            {
                reader.Warn(staticElement, ConfigReader.PathOf(staticElement), "ignored unless <AllowStaticAddresses>true</AllowStaticAddresses>");
            }
        }

        return new IpopConfig
        {
            FilePath = Path.GetFullPath(filePath),
            IpopNamespace = DhcpConfigLoader.ReadNamespace(reader, root, "IpopNamespace"),
            VirtualNetworkDevice = ReadDevice(reader, root),
            Hostname = ReadHostname(reader, root),
            EnableMulticast = reader.ReadBool(root, "EnableMulticast", true),
            EndToEndSecurity = reader.ReadBool(root, "EndToEndSecurity", false),
            AllowStaticAddresses = allowStatic,
            StaticAddress = staticAddress,
            GroupVpn = ReadGroupVpn(reader, root, folder),
            Warnings = reader.Warnings.ToArray(),
        };
    }

    private static string ReadDevice(ConfigReader reader, XElement root)
    {
        if (reader.Single(root, "VirtualNetworkDevice") is not { } element)
        {
            return IpopConfig.DefaultDeviceName;
        }
        string name = reader.Text(element);
        // Linux dev_valid_name: 1-15 bytes, not "." or "..", no '/', ':' or whitespace.
        if (name.Length == 0 || name.Length > MaxDeviceNameLength || name is "." or ".."
            || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c) || c > '\u007e'))
        {
            throw reader.Error(element, $"expected a network device name of 1-{MaxDeviceNameLength} ASCII characters without '/', ':' or spaces, got {ConfigReader.Quote(name)}");
        }
        return name;
    }

    private static string? ReadHostname(ConfigReader reader, XElement root)
    {
        if (reader.Single(root, "AddressData") is not { } data)
        {
            return null;
        }
        reader.CheckChildren(data, s_addressDataElements, s_retiredAddressDataElements);
        if (reader.Single(data, "Hostname") is not { } element)
        {
            return null;
        }
        string name = reader.Text(element);
        if (name.Length == 0)
        {
            return null;
        }
        if (name.Length > MaxHostnameLength || name[0] == '-' || name[^1] == '-' || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw reader.Error(element, $"expected a DNS label (1-{MaxHostnameLength} letters, digits and inner hyphens), got {ConfigReader.Quote(name)}");
        }
        return name;
    }

    private static GroupVpnConfig ReadGroupVpn(ConfigReader reader, XElement root, string folder)
    {
        if (reader.Single(root, "GroupVPN") is not { } element)
        {
            return new GroupVpnConfig();
        }
        reader.CheckChildren(element, s_groupVpnElements);
        bool enabled = reader.ReadBool(element, "Enabled", true);
        string? authority = ReadPath(reader, element, "AuthorityCertificate", folder);
        string? certificate = ReadPath(reader, element, "Certificate", folder);
        string? key = ReadPath(reader, element, "KeyPath", folder);
        if (enabled)
        {
            if (authority is null)
            {
                throw reader.Missing(element, "AuthorityCertificate", "the group authority's certificate, e.g. <AuthorityCertificate>ca.crt</AuthorityCertificate>");
            }
            if (certificate is null)
            {
                throw reader.Missing(element, "Certificate", "this member's certificate, e.g. <Certificate>node.crt</Certificate>");
            }
            if (key is null)
            {
                throw reader.Missing(element, "KeyPath", "this node's key (node.config's Security/KeyPath), e.g. <KeyPath>node.key</KeyPath>");
            }
        }
        return new GroupVpnConfig { Enabled = enabled, AuthorityCertificatePath = authority, CertificatePath = certificate, KeyPath = key };
    }

    private static string? ReadPath(ConfigReader reader, XElement parent, string name, string folder)
    {
        if (reader.Single(parent, name) is not { } element)
        {
            return null;
        }
        string value = reader.Text(element);
        if (value.Length == 0 || value.Contains('\0', StringComparison.Ordinal))
        {
            throw reader.Error(element, $"expected a file path, got {ConfigReader.Quote(value)}");
        }
        return Path.GetFullPath(value, folder);
    }
}
