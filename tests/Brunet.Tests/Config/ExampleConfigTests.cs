using System.Net;
using System.Xml;
using System.Xml.Schema;
using Brunet.Config;
using Brunet.Transport;

namespace Brunet.Tests.Config;

public class ExampleConfigTests
{
    [TestCase("bootstrap.config")]
    [TestCase("node.config")]
    public void Load_ExampleConfig_LoadsWithoutWarnings(string name)
    {
        NodeConfig config = NodeConfigLoader.Load(Path.Combine(RepositoryFiles.Configs, name));

        Assert.That(config.Warnings, Is.Empty);
        Assert.That(config.BrunetNamespace, Is.EqualTo("BrunetDemo"));
        Assert.That(config.NodeAddress, Is.Null);
        Assert.That(config.EdgeListeners.Select(l => l.Kind), Is.EqualTo(new[] { TransportKind.Udp, TransportKind.Tcp }));
        Assert.That(config.ControlEndpoint.Enabled, Is.True);
        Assert.That(config.Security.IsPrivateOverlay, Is.False);
    }

    [Test]
    public void Load_BootstrapConfig_HasContractValues()
    {
        NodeConfig config = NodeConfigLoader.Load(Path.Combine(RepositoryFiles.Configs, "bootstrap.config"));

        Assert.That(config.RemoteTAs.Select(t => t.ToString()), Is.EqualTo(new[] { "brunet.udp://127.0.0.1:40000", "brunet.tcp://127.0.0.1:40000" }));
        Assert.That(config.EdgeListeners, Is.EqualTo(new[]
        {
            new EdgeListenerConfig(TransportKind.Udp, 40000, IPAddress.Any),
            new EdgeListenerConfig(TransportKind.Tcp, 40000, IPAddress.Any),
        }));
        Assert.That(config.ControlEndpoint, Is.EqualTo(new ControlEndpointConfig { Enabled = true, Port = 10000 }));
        Assert.That(config.Security.KeyPath, Is.EqualTo(Path.Combine(RepositoryFiles.Configs, "bootstrap.key")));
    }

    [Test]
    public void Load_NodeConfig_HasMemberHostValues()
    {
        NodeConfig config = NodeConfigLoader.Load(Path.Combine(RepositoryFiles.Configs, "node.config"));

        Assert.That(config.RemoteTAs.Select(t => t.ToString()), Is.EqualTo(new[] { "brunet.udp://198.18.0.1:40000", "brunet.tcp://198.18.0.1:40000" }));
        Assert.That(config.EdgeListeners.Select(l => l.Port), Is.EqualTo(new[] { 40001, 40001 }));
        Assert.That(config.ControlEndpoint.Port, Is.EqualTo(10001));
        Assert.That(config.Security.KeyPath, Is.EqualTo(Path.Combine(RepositoryFiles.Configs, "node.key")));
    }

    [TestCase("bootstrap.config")]
    [TestCase("node.config")]
    public void Validate_ExampleConfig_MatchesSchema(string name)
    {
        List<string> errors = Validate(File.ReadAllText(Path.Combine(RepositoryFiles.Configs, name)));

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_XmlRpcManagerAliasAndAddressChild_MatchesSchema()
    {
        const string Xml = """
            <NodeConfig>
              <BrunetNamespace>Lab</BrunetNamespace>
              <NodeAddress></NodeAddress>
              <EdgeListeners><EdgeListener type="udp"><port>0</port><address>::1</address></EdgeListener></EdgeListeners>
              <XmlRpcManager><Enabled>True</Enabled><Port>10000</Port></XmlRpcManager>
            </NodeConfig>
            """;

        Assert.That(Validate(Xml), Is.Empty);
        Assert.That(NodeConfigLoader.Parse(Xml, "/etc/x/node.config").Warnings, Is.Empty);
    }

    [TestCase("<EdgeListener type=\"udp\"><port>70000</port></EdgeListener>", Description = "port out of range")]
    [TestCase("<EdgeListener type=\"sctp\"><port>1</port></EdgeListener>", Description = "unknown type")]
    [TestCase("<EdgeListener type=\"udp\"></EdgeListener>", Description = "no port")]
    public void Validate_BadEdgeListener_SchemaRejects(string listener)
    {
        string xml = $"<NodeConfig><BrunetNamespace>Lab</BrunetNamespace><EdgeListeners>{listener}</EdgeListeners></NodeConfig>";

        Assert.That(Validate(xml), Is.Not.Empty);
        Assert.Throws<ConfigException>(() => NodeConfigLoader.Parse(xml, "node.config"));
    }

    [Test]
    public void BootstrapXml_EqualsBootstrapConfigFile()
    {
        string file = File.ReadAllText(Path.Combine(RepositoryFiles.Configs, "bootstrap.config")).ReplaceLineEndings("\n");

        Assert.That(DefaultConfigs.BootstrapXml.ReplaceLineEndings("\n") + "\n", Is.EqualTo(file),
            "configs/bootstrap.config and DefaultConfigs.BootstrapXml must stay the same text");
    }

    [Test]
    public void Parse_BootstrapXml_ResolvesKeyBesideGivenPath()
    {
        string folder = Path.Combine(Path.GetTempPath(), "brunet-defaults");

        NodeConfig config = NodeConfigLoader.Parse(DefaultConfigs.BootstrapXml, Path.Combine(folder, DefaultConfigs.BootstrapFileName));

        Assert.That(config.Security.KeyPath, Is.EqualTo(Path.Combine(folder, "bootstrap.key")));
        Assert.That(config.Warnings, Is.Empty);
    }

    private static List<string> Validate(string xml)
    {
        XmlSchemaSet schemas = new() { XmlResolver = null };
        using (XmlReader schemaReader = XmlReader.Create(Path.Combine(RepositoryFiles.Configs, "NodeConfig.xsd"), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit }))
        {
            schemas.Add(null, schemaReader);
        }
        List<string> errors = [];
        XmlReaderSettings settings = new() { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})");
        using XmlReader reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
            // the schema is checked as the reader moves; errors arrive through the handler
        }
        return errors;
    }
}
