using System.Globalization;
using System.Net;
using System.Xml.Linq;
using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Config;

/// <summary>
/// Loads <c>bootstrap.config</c> / <c>node.config</c> (<c>&lt;NodeConfig&gt;</c>) into a validated
/// <see cref="NodeConfig"/>. Element names are Brunet's and a user contract (CONTRACT.md). Unknown elements become
/// <see cref="NodeConfig.Warnings"/>; a missing required element or a bad value is a <see cref="ConfigException"/>
/// naming the file, the element and what was expected.
/// </summary>
public static partial class NodeConfigLoader
{
    public const string RootElement = "NodeConfig";

    private static readonly string[] s_rootElements =
        ["BrunetNamespace", "NodeAddress", "RemoteTAs", "EdgeListeners", "ControlEndpoint", "XmlRpcManager", "Security", "Relay"];

    // Brunet's NodeConfig had these; old configs keep loading, with a warning that they do nothing here.
    private static readonly string[] s_retiredRootElements = ["DevicesToBind", "NCService"];
    private static readonly string[] s_retiredSecurityElements = ["Enabled", "SecureEdges"];

    private static readonly string[] s_remoteTAsElements = ["Transport"];
    private static readonly string[] s_edgeListenersElements = ["EdgeListener"];
    private static readonly string[] s_edgeListenerElements = ["port", "address"];
    private static readonly string[] s_edgeListenerAttributes = ["type"];
    private static readonly string[] s_controlElements = ["Enabled", "Port"];
    private static readonly string[] s_relayElements = ["MaxBytesPerSecond"];
    private static readonly string[] s_securityElements = ["KeyPath", "AuthorityCertificate", "Certificate"];

    /// <summary>
    /// Loads and validates the file at <paramref name="path"/> (at most 1 MiB, UTF-8 or UTF-16 with BOM).
    /// Messages name the file as <paramref name="path"/> is written.
    /// </summary>
    /// <exception cref="ConfigException">The file is missing, unreadable, not XML, has another root element, or a value is bad.</exception>
    public static NodeConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ConfigReader.ReadFileText(path, RootElement), path);
    }

    /// <summary>
    /// Validates config text as if read from <paramref name="filePath"/>: messages name that path and relative paths
    /// (KeyPath, certificates) resolve against its folder. For tests and for running on
    /// <see cref="DefaultConfigs.BootstrapXml"/>.
    /// </summary>
    /// <exception cref="ConfigException">The text is not XML, has another root element, or a value is bad.</exception>
    public static NodeConfig Parse(string xmlText, string filePath)
    {
        ArgumentNullException.ThrowIfNull(xmlText);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ConfigReader reader = new(filePath);
        XElement root = reader.ParseRoot(xmlText, RootElement);
        reader.CheckChildren(root, s_rootElements, s_retiredRootElements);

        return new NodeConfig
        {
            FilePath = Path.GetFullPath(filePath),
            BrunetNamespace = ReadNamespace(reader, root),
            NodeAddress = ReadNodeAddress(reader, root),
            RemoteTAs = ReadRemoteTAs(reader, root),
            EdgeListeners = ReadEdgeListeners(reader, root),
            ControlEndpoint = ReadControlEndpoint(reader, root),
            Security = ReadSecurity(reader, root, ConfigReader.FolderOf(filePath)),
            RelayMaxBytesPerSecond = ReadRelayCap(reader, root),
            Warnings = reader.Warnings.ToArray(),
        };
    }

    /// <summary>
    /// Checks a loaded config's NodeAddress against the address of the key it names: call this after loading the
    /// key and before <see cref="FillNodeAddress"/>. Passes when NodeAddress is absent (first run) or equal.
    /// </summary>
    /// <exception cref="ConfigException">NodeAddress is present and differs from <paramref name="keyAddress"/>.</exception>
    public static void EnsureNodeAddressMatches(NodeConfig config, Address keyAddress)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.NodeAddress is { } present && present != keyAddress)
        {
            throw MismatchError(config.FilePath, config.Security.KeyPath, present, keyAddress, 0);
        }
    }

    private static ConfigException MismatchError(string file, string keyPath, Address present, Address keyAddress, int line) => new(
        file,
        RootElement + "/NodeAddress",
        $"{present} does not match the key in KeyPath {keyPath} ({keyAddress}): the address is derived from the key; "
            + "remove <NodeAddress> to have it filled in again, or point KeyPath at the matching key",
        line);

    private static string ReadNamespace(ConfigReader reader, XElement root)
    {
        XElement element = reader.Single(root, "BrunetNamespace")
            ?? throw reader.Missing(root, "BrunetNamespace", "the overlay's name, e.g. <BrunetNamespace>BrunetDemo</BrunetNamespace>");
        string value = reader.Text(element);
        if (value.Length == 0)
        {
            throw reader.Error(element, "expected the overlay's name (1-64 characters), got an empty value");
        }
        if (value.Length > NodeConfig.MaxNamespaceLength)
        {
            throw reader.Error(element, $"expected at most {NodeConfig.MaxNamespaceLength} characters, got {value.Length}");
        }
        if (value.Any(char.IsControl))
        {
            throw reader.Error(element, $"expected a name without control characters, got {ConfigReader.Quote(value)}");
        }
        return value;
    }

    private static Address? ReadNodeAddress(ConfigReader reader, XElement root)
    {
        XElement? element = reader.Single(root, "NodeAddress");
        if (element is null)
        {
            return null;
        }
        string value = reader.Text(element);
        if (value.Length == 0)
        {
            return null;    // an empty element is a placeholder, filled in on first run
        }
        if (!Address.TryParse(value, out Address address))
        {
            throw reader.Error(element, $"expected a node address ({Address.TextPrefix} and 32 base32 characters), got {ConfigReader.Quote(value)}");
        }
        if (!address.IsNodeAddress)
        {
            throw reader.Error(element, $"expected a node address (class 0: the lowest bit clear), got {ConfigReader.Quote(value)}");
        }
        return address;
    }

    private static TransportAddress[] ReadRemoteTAs(ConfigReader reader, XElement root)
    {
        XElement? list = reader.Single(root, "RemoteTAs");
        if (list is null)
        {
            return [];
        }
        reader.CheckChildren(list, s_remoteTAsElements);
        List<TransportAddress> addresses = [];
        foreach (XElement element in ConfigReader.All(list, "Transport"))
        {
            string value = reader.Text(element);
            if (!TransportAddress.TryParse(value, out TransportAddress? address)
                || address.Kind is not (TransportKind.Udp or TransportKind.Tcp))
            {
                throw reader.Error(element, $"expected brunet.udp://IP:PORT or brunet.tcp://IP:PORT, got {ConfigReader.Quote(value)}");
            }
            if (addresses.Contains(address))
            {
                reader.Warn(element, ConfigReader.PathOf(element), $"duplicate {address}, ignored");
                continue;
            }
            if (addresses.Count == NodeConfig.MaxRemoteTAs)
            {
                throw reader.Error(element, $"expected at most {NodeConfig.MaxRemoteTAs} bootstrap addresses");
            }
            addresses.Add(address);
        }
        return addresses.ToArray();
    }

    private static EdgeListenerConfig[] ReadEdgeListeners(ConfigReader reader, XElement root)
    {
        const string Expected = "at least one <EdgeListener type=\"udp\"><port>40000</port></EdgeListener>";
        XElement list = reader.Single(root, "EdgeListeners") ?? throw reader.Missing(root, "EdgeListeners", Expected);
        reader.CheckChildren(list, s_edgeListenersElements);
        List<EdgeListenerConfig> listeners = [];
        foreach (XElement element in ConfigReader.All(list, "EdgeListener"))
        {
            reader.CheckChildren(element, s_edgeListenerElements, null, s_edgeListenerAttributes);
            XAttribute? typeAttribute = element.Attribute("type");
            if (typeAttribute is null)
            {
                throw reader.Error(element, "missing the type attribute: expected type=\"udp\" or type=\"tcp\"");
            }
            string type = typeAttribute.Value.Trim();
            TransportKind kind;
            if (type.Equals("udp", StringComparison.OrdinalIgnoreCase))
            {
                kind = TransportKind.Udp;
            }
            else if (type.Equals("tcp", StringComparison.OrdinalIgnoreCase))
            {
                kind = TransportKind.Tcp;
            }
            else if (type.Equals("tunnel", StringComparison.OrdinalIgnoreCase))
            {
                // Brunet configured its relay listener here; our relay edges are always on.
                reader.Warn(typeAttribute, ConfigReader.PathOf(element) + "/@type", "relay (tunnel) edges are always on; this listener is ignored");
                continue;
            }
            else
            {
                throw reader.Error(typeAttribute, $"expected \"udp\" or \"tcp\", got {ConfigReader.Quote(type)}");
            }

            XElement portElement = reader.Single(element, "port")
                ?? throw reader.Missing(element, "port", "a port number 0-65535 (0: any free port), e.g. <port>40000</port>");
            int port = ReadPort(reader, portElement, 0);

            IPAddress bindAddress = IPAddress.Any;
            if (reader.Single(element, "address") is { } addressElement)
            {
                string text = reader.Text(addressElement);
                if (!IPAddress.TryParse(text, out IPAddress? parsed) || !IsPlainIPAddress(text))
                {
                    throw reader.Error(addressElement, $"expected an IPv4 or IPv6 address to bind, got {ConfigReader.Quote(text)}");
                }
                bindAddress = parsed;
            }

            EdgeListenerConfig listener = new(kind, port, bindAddress);
            if (port != 0 && listeners.Contains(listener))
            {
                throw reader.Error(element, $"duplicate listener: {type} port {port} on {bindAddress} is already configured");
            }
            listeners.Add(listener);
        }
        if (listeners.Count == 0)
        {
            throw reader.Error(list, "expected " + Expected);
        }
        return listeners.ToArray();
    }

    private static ControlEndpointConfig ReadControlEndpoint(ConfigReader reader, XElement root)
    {
        XElement? control = reader.Single(root, "ControlEndpoint");
        XElement? alias = reader.Single(root, "XmlRpcManager");
        if (control is not null && alias is not null)
        {
            throw reader.Error(alias, "duplicate of <ControlEndpoint> (XmlRpcManager is Brunet's name for it); keep one");
        }
        XElement? element = control ?? alias;
        if (element is null)
        {
            return new ControlEndpointConfig { Enabled = false };
        }
        reader.CheckChildren(element, s_controlElements);
        bool enabled = reader.ReadBool(element, "Enabled", true);
        int port = ControlEndpointConfig.DefaultPort;
        if (reader.Single(element, "Port") is { } portElement)
        {
            port = ReadPort(reader, portElement, 1);
        }
        return new ControlEndpointConfig { Enabled = enabled, Port = port };
    }

    /// <summary><c>&lt;Relay&gt;&lt;MaxBytesPerSecond&gt;N&lt;/MaxBytesPerSecond&gt;&lt;/Relay&gt;</c>: null when absent.</summary>
    private static long? ReadRelayCap(ConfigReader reader, XElement root)
    {
        if (reader.Single(root, "Relay") is not { } relay)
        {
            return null;
        }
        reader.CheckChildren(relay, s_relayElements);
        if (reader.Single(relay, "MaxBytesPerSecond") is not { } element)
        {
            return null;
        }
        string text = reader.Text(element);
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long cap) || cap > NodeConfig.MaxRelayBytesPerSecond)
        {
            throw reader.Error(element, $"expected bytes per second 0-{NodeConfig.MaxRelayBytesPerSecond} (0: forward nothing for others), got {ConfigReader.Quote(text)}");
        }
        return cap;
    }

    private static SecurityConfig ReadSecurity(ConfigReader reader, XElement root, string folder)
    {
        XElement? element = reader.Single(root, "Security");
        if (element is null)
        {
            return new SecurityConfig { KeyPath = Path.Combine(folder, SecurityConfig.DefaultKeyFileName) };
        }
        reader.CheckChildren(element, s_securityElements, s_retiredSecurityElements);
        string keyPath = ReadPath(reader, element, "KeyPath", folder) ?? Path.Combine(folder, SecurityConfig.DefaultKeyFileName);
        string? authority = ReadPath(reader, element, "AuthorityCertificate", folder);
        string? certificate = ReadPath(reader, element, "Certificate", folder);
        if (authority is not null && certificate is null)
        {
            throw reader.Missing(element, "Certificate", "this node's certificate from the authority, since <AuthorityCertificate> is set");
        }
        if (certificate is not null && authority is null)
        {
            throw reader.Missing(element, "AuthorityCertificate", "the group authority's certificate, since <Certificate> is set");
        }
        return new SecurityConfig { KeyPath = keyPath, AuthorityCertificatePath = authority, CertificatePath = certificate };
    }

    /// <summary>An optional path child, resolved against the config's folder; present but empty is an error.</summary>
    private static string? ReadPath(ConfigReader reader, XElement parent, string name, string folder)
    {
        if (reader.Single(parent, name) is not { } element)
        {
            return null;
        }
        string value = reader.Text(element);
        if (value.Length == 0)
        {
            throw reader.Error(element, "expected a file path (relative paths are beside the config file), got an empty value");
        }
        if (value.Any(char.IsControl) || value.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw reader.Error(element, $"expected a file path, got {ConfigReader.Quote(value)}");
        }
        return Path.GetFullPath(value, folder);
    }

    private static int ReadPort(ConfigReader reader, XElement element, int minimum)
    {
        string text = reader.Text(element);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < minimum || port > IPEndPoint.MaxPort)
        {
            throw reader.Error(element, $"expected a port number {minimum}-{IPEndPoint.MaxPort}, got {ConfigReader.Quote(text)}");
        }
        return port;
    }

    // IPAddress.TryParse also takes "1" or "0x7f.1" as IPv4; a config should say what it means.
    private static bool IsPlainIPAddress(string text) => text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3;
}
