using System.Net;
using Brunet.Addressing;
using Brunet.Config;
using Brunet.Transport;

namespace Brunet.Tests.Config;

public class NodeConfigLoaderTests
{
    private const string File = "/etc/brunet/node.config";
    private const string Listeners = "<EdgeListeners><EdgeListener type=\"udp\"><port>40000</port></EdgeListener></EdgeListeners>";

    private static string Config(string body) => $"<?xml version=\"1.0\"?>\n<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  {body}\n</NodeConfig>\n";

    [Test]
    public void Parse_MinimalConfig_FillsDefaults()
    {
        NodeConfig config = NodeConfigLoader.Parse(Config(Listeners), File);

        Assert.That(config.FilePath, Is.EqualTo(File));
        Assert.That(config.BrunetNamespace, Is.EqualTo("Lab"));
        Assert.That(config.NodeAddress, Is.Null);
        Assert.That(config.RemoteTAs, Is.Empty);
        Assert.That(config.EdgeListeners, Is.EqualTo(new[] { new EdgeListenerConfig(TransportKind.Udp, 40000, IPAddress.Any) }));
        Assert.That(config.ControlEndpoint.Enabled, Is.False, "no ControlEndpoint element: disabled");
        Assert.That(config.Security.KeyPath, Is.EqualTo("/etc/brunet/node.key"));
        Assert.That(config.Security.AuthorityCertificatePath, Is.Null);
        Assert.That(config.Warnings, Is.Empty);
    }

    [Test]
    public void Parse_WhitespaceAroundValues_IsTrimmed()
    {
        Address address = Address.Random(new Random(7));
        string xml = $"""
            <NodeConfig>
              <BrunetNamespace>  Lab
              </BrunetNamespace>
              <NodeAddress> {address} </NodeAddress>
              <RemoteTAs><Transport>
                brunet.tcp://10.0.0.1:40000 </Transport></RemoteTAs>
              <EdgeListeners><EdgeListener type=" tcp "><port> 40000 </port><address> 127.0.0.1 </address></EdgeListener></EdgeListeners>
              <ControlEndpoint><Enabled> FALSE </Enabled><Port> 10002 </Port></ControlEndpoint>
            </NodeConfig>
            """;

        NodeConfig config = NodeConfigLoader.Parse(xml, File);

        Assert.That(config.BrunetNamespace, Is.EqualTo("Lab"));
        Assert.That(config.NodeAddress, Is.EqualTo(address));
        Assert.That(config.RemoteTAs.Single().ToString(), Is.EqualTo("brunet.tcp://10.0.0.1:40000"));
        Assert.That(config.EdgeListeners.Single(), Is.EqualTo(new EdgeListenerConfig(TransportKind.Tcp, 40000, IPAddress.Loopback)));
        Assert.That(config.ControlEndpoint, Is.EqualTo(new ControlEndpointConfig { Enabled = false, Port = 10002 }));
    }

    [Test]
    public void Parse_XmlRpcManagerAlias_ConfiguresControlEndpoint()
    {
        NodeConfig config = NodeConfigLoader.Parse(Config(Listeners + "<XmlRpcManager><Enabled>true</Enabled><Port>10005</Port></XmlRpcManager>"), File);

        Assert.That(config.ControlEndpoint, Is.EqualTo(new ControlEndpointConfig { Enabled = true, Port = 10005 }));
        Assert.That(config.Warnings, Is.Empty);
    }

    [Test]
    public void Parse_ControlEndpointWithoutChildren_EnabledOnDefaultPort()
    {
        NodeConfig config = NodeConfigLoader.Parse(Config(Listeners + "<ControlEndpoint/>"), File);

        Assert.That(config.ControlEndpoint, Is.EqualTo(new ControlEndpointConfig { Enabled = true, Port = 10000 }));
    }

    [Test]
    public void Parse_RelayCap_SetsTheNodesForwardingBandwidth()
    {
        Assert.That(NodeConfigLoader.Parse(Config(Listeners), File).RelayMaxBytesPerSecond, Is.Null);
        NodeConfig config = NodeConfigLoader.Parse(Config(Listeners + "<Relay><MaxBytesPerSecond> 250000 </MaxBytesPerSecond></Relay>"), File);
        Assert.That(config.RelayMaxBytesPerSecond, Is.EqualTo(250_000));
        Assert.That(Brunet.Node.NodeOptions.For(config).RelayBytesPerSecond, Is.EqualTo(250_000));
        Assert.That(Brunet.Node.NodeOptions.For(NodeConfigLoader.Parse(Config(Listeners), File)).RelayBytesPerSecond,
            Is.EqualTo(Brunet.Node.NodeOptions.DefaultRelayBytesPerSecond));
        Assert.That(NodeConfigLoader.Parse(Config(Listeners + "<Relay><MaxBytesPerSecond>0</MaxBytesPerSecond></Relay>"), File).RelayMaxBytesPerSecond, Is.Zero);
    }

    [TestCase("-1")]
    [TestCase("1.5")]
    [TestCase("lots")]
    [TestCase("")]
    [TestCase("10000000001")]
    [TestCase("99999999999999999999999")]
    public void Parse_BadRelayCap_FailsWithThePath(string value)
    {
        ConfigException e = ConfigAssert.Fails(() =>
            NodeConfigLoader.Parse(Config(Listeners + $"<Relay><MaxBytesPerSecond>{value}</MaxBytesPerSecond></Relay>"), "node.config"));
        Assert.That(e.Message, Does.Contain("MaxBytesPerSecond").And.Contain("bytes per second"));
    }

    [Test]
    public void Parse_RelativeSecurityPaths_ResolveAgainstConfigFolder()
    {
        string xml = Config(Listeners + "<Security><KeyPath>keys/me.key</KeyPath><AuthorityCertificate>../ca/ca.crt</AuthorityCertificate><Certificate>/abs/node.crt</Certificate></Security>");

        SecurityConfig security = NodeConfigLoader.Parse(xml, "/etc/brunet/node.config").Security;

        Assert.That(security.KeyPath, Is.EqualTo("/etc/brunet/keys/me.key"));
        Assert.That(security.AuthorityCertificatePath, Is.EqualTo("/etc/ca/ca.crt"));
        Assert.That(security.CertificatePath, Is.EqualTo("/abs/node.crt"));
        Assert.That(security.IsPrivateOverlay, Is.True);
    }

    [Test]
    public void Parse_RelativeFilePath_KeyPathIsAbsoluteBesideIt()
    {
        NodeConfig config = NodeConfigLoader.Parse(Config(Listeners + "<Security><KeyPath>a.key</KeyPath></Security>"), "sub/node.config");

        Assert.That(config.FilePath, Is.EqualTo(Path.GetFullPath("sub/node.config")));
        Assert.That(config.Security.KeyPath, Is.EqualTo(Path.GetFullPath("sub/a.key")));
    }

    [Test]
    public void Parse_SecurityWithoutKeyPath_DefaultsToNodeKeyBesideConfig()
    {
        NodeConfig config = NodeConfigLoader.Parse(Config(Listeners + "<Security></Security>"), "/srv/vpn/node.config");

        Assert.That(config.Security.KeyPath, Is.EqualTo("/srv/vpn/node.key"));
    }

    [Test]
    public void Parse_UnknownElements_WarnByNameAndStillLoad()
    {
        string xml = Config(Listeners + "\n  <Foo>1</Foo>\n  <ControlEndpoint><port>1</port></ControlEndpoint>\n  <DevicesToBind/>");

        NodeConfig config = NodeConfigLoader.Parse(xml, "node.config");

        Assert.That(config.Warnings, Has.Count.EqualTo(3));
        Assert.That(config.Warnings, Has.One.EqualTo("node.config:5: NodeConfig/Foo: unknown element, ignored"));
        Assert.That(config.Warnings, Has.One.StartWith("node.config:6: NodeConfig/ControlEndpoint/port: unknown element").And.Contains("did you mean <Port>"));
        Assert.That(config.Warnings, Has.One.StartWith("node.config:7: NodeConfig/DevicesToBind: a Brunet element"));
        Assert.That(config.ControlEndpoint.Port, Is.EqualTo(10000), "the misspelt port is not used");
    }

    [Test]
    public void Parse_UnknownAttribute_Warns()
    {
        string xml = Config("<EdgeListeners><EdgeListener type=\"udp\" mtu=\"1400\"><port>1</port></EdgeListener></EdgeListeners>");

        NodeConfig config = NodeConfigLoader.Parse(xml, "node.config");

        Assert.That(config.Warnings.Single(), Does.Contain("NodeConfig/EdgeListeners/EdgeListener/@mtu: unknown attribute"));
    }

    [Test]
    public void Parse_SchemaLocationAttributes_NoWarning()
    {
        string xml = "<NodeConfig xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"NodeConfig.xsd\">"
            + "<BrunetNamespace>Lab</BrunetNamespace>" + Listeners + "</NodeConfig>";

        Assert.That(NodeConfigLoader.Parse(xml, "node.config").Warnings, Is.Empty);
    }

    [Test]
    public void Parse_DuplicateRemoteTAs_RemovedWithWarning()
    {
        string xml = Config(Listeners + "<RemoteTAs><Transport>brunet.udp://10.0.0.1:40000</Transport><Transport>brunet.tcp://10.0.0.1:40000</Transport><Transport>brunet.udp://10.0.0.1:40000</Transport></RemoteTAs>");

        NodeConfig config = NodeConfigLoader.Parse(xml, "node.config");

        Assert.That(config.RemoteTAs.Select(t => t.ToString()), Is.EqualTo(new[] { "brunet.udp://10.0.0.1:40000", "brunet.tcp://10.0.0.1:40000" }));
        Assert.That(config.Warnings.Single(), Does.Contain("NodeConfig/RemoteTAs/Transport[3]: duplicate brunet.udp://10.0.0.1:40000, ignored"));
    }

    [Test]
    public void Parse_TunnelListener_IgnoredWithWarning()
    {
        string xml = Config("<EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener><EdgeListener type=\"tunnel\"/></EdgeListeners>");

        NodeConfig config = NodeConfigLoader.Parse(xml, "node.config");

        Assert.That(config.EdgeListeners, Has.Count.EqualTo(1));
        Assert.That(config.Warnings.Single(), Does.Contain("EdgeListener[2]/@type"));
    }

    [Test]
    public void Parse_TooManyRemoteTAs_Fails()
    {
        string transports = string.Concat(Enumerable.Range(1, NodeConfig.MaxRemoteTAs + 1).Select(i => $"<Transport>brunet.udp://10.0.0.1:{i}</Transport>"));

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Parse(Config(Listeners + $"<RemoteTAs>{transports}</RemoteTAs>"), "node.config"));

        Assert.That(e.Element, Is.EqualTo("NodeConfig/RemoteTAs/Transport[65]"));
        Assert.That(e.Reason, Does.Contain("at most 64"));
    }

    [TestCase("<EdgeListeners><EdgeListener type=\"udp\"><port>abc</port></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener/port", "expected a port number 0-65535, got 'abc'", 4, Description = "bad port")]
    [TestCase("<EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener><EdgeListener type=\"tcp\"><port>65536</port></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener[2]/port", "expected a port number 0-65535, got '65536'", 4, Description = "port too large")]
    [TestCase("<EdgeListeners><EdgeListener type=\"udp\"><port>-1</port></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener/port", "got '-1'", 4, Description = "negative port")]
    [TestCase("<EdgeListeners><EdgeListener type=\"udp\"/></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener/port", "missing: expected a port number", 4, Description = "no port")]
    [TestCase("<EdgeListeners><EdgeListener><port>1</port></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener", "missing the type attribute", 4, Description = "no type")]
    [TestCase("<EdgeListeners><EdgeListener type=\"sctp\"><port>1</port></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener/@type", "expected \"udp\" or \"tcp\", got 'sctp'", 4, Description = "bad type")]
    [TestCase("<EdgeListeners><EdgeListener type=\"udp\"><port>1</port><address>localhost</address></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener/address", "expected an IPv4 or IPv6 address to bind, got 'localhost'", 4, Description = "bad bind address")]
    [TestCase("<EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>",
        "NodeConfig/EdgeListeners/EdgeListener[2]", "duplicate listener", 4, Description = "same listener twice")]
    [TestCase("<EdgeListeners></EdgeListeners>",
        "NodeConfig/EdgeListeners", "expected at least one <EdgeListener", 4, Description = "no listener")]
    [TestCase("<RemoteTAs/>",
        "NodeConfig/EdgeListeners", "missing: expected at least one <EdgeListener", 2, Description = "no EdgeListeners")]
    [TestCase("<RemoteTAs><Transport>brunet.udp://10.0.0.1</Transport></RemoteTAs>" + Listeners,
        "NodeConfig/RemoteTAs/Transport", "expected brunet.udp://IP:PORT or brunet.tcp://IP:PORT, got 'brunet.udp://10.0.0.1'", 4, Description = "transport without port")]
    [TestCase("<RemoteTAs><Transport>brunet.udp://10.0.0.1:1</Transport><Transport>brunet.tunnel://x</Transport></RemoteTAs>" + Listeners,
        "NodeConfig/RemoteTAs/Transport[2]", "got 'brunet.tunnel://x'", 4, Description = "tunnel transport")]
    [TestCase("<RemoteTAs><Transport>http://10.0.0.1:80</Transport></RemoteTAs>" + Listeners,
        "NodeConfig/RemoteTAs/Transport", "got 'http://10.0.0.1:80'", 4, Description = "other scheme")]
    [TestCase("<NodeAddress>brunet:node:XYZ</NodeAddress>" + Listeners,
        "NodeConfig/NodeAddress", "expected a node address (brunet:node: and 32 base32 characters), got 'brunet:node:XYZ'", 4, Description = "short NodeAddress")]
    [TestCase("<NodeAddress>brunet:node:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB</NodeAddress>" + Listeners,
        "NodeConfig/NodeAddress", "class 0", 4, Description = "NodeAddress of the wrong class")]
    [TestCase("<BrunetNamespace>Other</BrunetNamespace>" + Listeners,
        "NodeConfig/BrunetNamespace[2]", "duplicate <BrunetNamespace> (the first is on line 3)", 4, Description = "duplicate namespace")]
    [TestCase(Listeners + "<ControlEndpoint><Port>1</Port><Port>2</Port></ControlEndpoint>",
        "NodeConfig/ControlEndpoint/Port[2]", "duplicate <Port>", 4, Description = "duplicate port")]
    [TestCase(Listeners + "<Security/><Security/>",
        "NodeConfig/Security[2]", "duplicate <Security>", 4, Description = "duplicate Security")]
    [TestCase(Listeners + "<ControlEndpoint/><XmlRpcManager/>",
        "NodeConfig/XmlRpcManager", "duplicate of <ControlEndpoint>", 4, Description = "both control spellings")]
    [TestCase(Listeners + "<ControlEndpoint><Port>0</Port></ControlEndpoint>",
        "NodeConfig/ControlEndpoint/Port", "expected a port number 1-65535, got '0'", 4, Description = "control port 0")]
    [TestCase(Listeners + "<XmlRpcManager><Enabled>yes</Enabled></XmlRpcManager>",
        "NodeConfig/XmlRpcManager/Enabled", "expected true or false, got 'yes'", 4, Description = "bad Enabled")]
    [TestCase(Listeners + "<Security><KeyPath> </KeyPath></Security>",
        "NodeConfig/Security/KeyPath", "expected a file path", 4, Description = "empty KeyPath")]
    [TestCase(Listeners + "<Security><Certificate>node.crt</Certificate></Security>",
        "NodeConfig/Security/AuthorityCertificate", "missing: expected the group authority's certificate", 4, Description = "certificate without authority")]
    [TestCase(Listeners + "<Security><AuthorityCertificate>ca.crt</AuthorityCertificate></Security>",
        "NodeConfig/Security/Certificate", "missing: expected this node's certificate", 4, Description = "authority without certificate")]
    [TestCase("<RemoteTAs><Transport><x/></Transport></RemoteTAs>" + Listeners,
        "NodeConfig/RemoteTAs/Transport", "expected a value, got an element <x>", 4, Description = "element where a value belongs")]
    public void Parse_BadValue_NamesFileElementAndReason(string body, string element, string reason, int line)
    {
        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Parse(Config(body), "node.config"));

        Assert.That(e.File, Is.EqualTo("node.config"));
        Assert.That(e.Element, Is.EqualTo(element));
        Assert.That(e.Reason, Does.Contain(reason));
        Assert.That(e.Line, Is.EqualTo(line));
        Assert.That(e.Message, Is.EqualTo($"node.config:{line}: {element}: {e.Reason}"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [TestCase("<NodeConfig><EdgeListeners/></NodeConfig>", "NodeConfig/BrunetNamespace", "missing: expected the overlay's name", Description = "missing namespace")]
    [TestCase("<NodeConfig><BrunetNamespace/></NodeConfig>", "NodeConfig/BrunetNamespace", "got an empty value", Description = "empty namespace")]
    [TestCase("<NodeConfig><BrunetNamespace>&#x1;x</BrunetNamespace></NodeConfig>", "NodeConfig", "not well-formed XML", Description = "control character reference")]
    [TestCase("<NodeConfig><BrunetNamespace>a\tb</BrunetNamespace></NodeConfig>", "NodeConfig/BrunetNamespace", "without control characters, got 'a?b'", Description = "tab in namespace")]
    [TestCase("<NodeConfig><BrunetNamespace>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</BrunetNamespace></NodeConfig>", "NodeConfig/BrunetNamespace", "at most 64 characters, got 65", Description = "long namespace")]
    [TestCase("this is not xml", "NodeConfig", "not well-formed XML", Description = "not XML")]
    [TestCase("", "NodeConfig", "not well-formed XML", Description = "empty file")]
    [TestCase("<NodeConfig><BrunetNamespace>x</BrunetNamespace>", "NodeConfig", "not well-formed XML", Description = "truncated")]
    [TestCase("<IpopConfig><IpopNamespace>x</IpopNamespace></IpopConfig>", "IpopConfig", "expected the root element <NodeConfig>, got <IpopConfig>", Description = "wrong root")]
    [TestCase("<?xml version=\"1.0\"?><!DOCTYPE NodeConfig [<!ENTITY x \"y\">]><NodeConfig><BrunetNamespace>&x;</BrunetNamespace></NodeConfig>", "NodeConfig", "a DTD (<!DOCTYPE ...>) is not allowed", Description = "DTD present")]
    [TestCase("<!DOCTYPE NodeConfig SYSTEM \"file:///etc/passwd\"><NodeConfig/>", "NodeConfig", "a DTD (<!DOCTYPE ...>) is not allowed", Description = "external DTD")]
    public void Parse_BadDocument_NamesFileElementAndReason(string xml, string element, string reason)
    {
        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Parse(xml, "bootstrap.config"));

        Assert.That(e.File, Is.EqualTo("bootstrap.config"));
        Assert.That(e.Element, Is.EqualTo(element));
        Assert.That(e.Reason, Does.Contain(reason));
        Assert.That(e.Message, Does.StartWith("bootstrap.config").And.Contains($" {element}: ").And.Contains(reason));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Parse_HugeText_FailsWithoutParsing()
    {
        string xml = Config(Listeners + "<!--" + new string('x', 1 << 20) + "-->");

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Parse(xml, "node.config"));

        Assert.That(e.Reason, Does.Contain("larger than 1048576 bytes"));
    }

    [Test]
    public void Load_MissingFile_NamesFile()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("nope.config");

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Load(path));

        Assert.That(e.Message, Is.EqualTo($"{path}: NodeConfig: file not found"));
    }

    [Test]
    public void Load_Folder_Fails()
    {
        using TemporaryFolder folder = new();

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Load(folder.Path));

        Assert.That(e.Reason, Does.Contain("folder"));
    }

    [Test]
    public void Load_NotUtf8_Fails()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        System.IO.File.WriteAllBytes(path, [.. "<NodeConfig><BrunetNamespace>"u8, 0xff, 0xfe, 0x41, .. "</BrunetNamespace></NodeConfig>"u8]);

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Load(path));

        Assert.That(e.Reason, Does.Contain("not UTF-8"));
    }

    [Test]
    public void Load_FileWithBom_ParsesAndUsesAbsolutePath()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        System.IO.File.WriteAllText(path, Config(Listeners), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        NodeConfig config = NodeConfigLoader.Load(path);

        Assert.That(config.FilePath, Is.EqualTo(path));
        Assert.That(config.Security.KeyPath, Is.EqualTo(folder.File("node.key")));
    }

    [Test]
    public void Load_TooLargeFile_Fails()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        System.IO.File.WriteAllText(path, Config(Listeners) + new string(' ', (1 << 20) + 1));

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.Load(path));

        Assert.That(e.Reason, Does.Contain("larger than"));
    }

    [Test]
    public void EnsureNodeAddressMatches_DifferentAddress_ThrowsNamingKeyPath()
    {
        Address present = Address.Random(new Random(1));
        Address key = Address.Random(new Random(2));
        NodeConfig config = NodeConfigLoader.Parse(Config($"<NodeAddress>{present}</NodeAddress>" + Listeners), File);

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.EnsureNodeAddressMatches(config, key));

        Assert.That(e.Element, Is.EqualTo("NodeConfig/NodeAddress"));
        Assert.That(e.Reason, Does.Contain(present.ToString()).And.Contains(key.ToString()).And.Contains("/etc/brunet/node.key").And.Contains("derived from the key"));
        Assert.DoesNotThrow(() => NodeConfigLoader.EnsureNodeAddressMatches(config, present));
        Assert.DoesNotThrow(() => NodeConfigLoader.EnsureNodeAddressMatches(config with { NodeAddress = null }, key));
    }
}
