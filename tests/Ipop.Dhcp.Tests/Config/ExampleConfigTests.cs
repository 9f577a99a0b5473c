using System.Net;
using System.Xml;
using System.Xml.Schema;
using Ipop.Dhcp.Config;

namespace Ipop.Dhcp.Tests.Config;

public sealed class ExampleConfigTests
{
    [Test]
    public void Load_ExampleDhcpConfig_ReadsTheRange()
    {
        DhcpConfig config = DhcpConfigLoader.Load(Path.Combine(RepositoryFiles.Configs, "dhcp.config"));

        Assert.That(config.Namespace, Is.EqualTo("demo"));
        Assert.That(config.IPBase, Is.EqualTo(IPAddress.Parse("100.64.0.0")));
        Assert.That(config.Netmask, Is.EqualTo(IPAddress.Parse("255.255.0.0")));
        Assert.That(config.PrefixLength, Is.EqualTo(16));
        Assert.That(config.Gateway, Is.EqualTo(IPAddress.Parse("100.64.0.1")));
        Assert.That(config.LeaseTime, Is.EqualTo(3600));
        Assert.That(config.ReservedIPs, Is.EqualTo(new[] { IPAddress.Parse("100.64.0.2") }));
        Assert.That(config.Warnings, Is.Empty);
    }

    [Test]
    public void Load_ExampleIpopConfig_ReadsEverySetting()
    {
        string path = Path.Combine(RepositoryFiles.Configs, "ipop.config");

        IpopConfig config = IpopConfigLoader.Load(path);

        Assert.That(config.IpopNamespace, Is.EqualTo("demo"));
        Assert.That(config.VirtualNetworkDevice, Is.EqualTo("tapipop"));
        Assert.That(config.Hostname, Is.EqualTo("host1"));
        Assert.That(config.EnableMulticast, Is.True);
        Assert.That(config.EndToEndSecurity, Is.True);
        Assert.That(config.AllowStaticAddresses, Is.False);
        Assert.That(config.GroupVpn.Enabled, Is.False);
        Assert.That(config.GroupVpn.AuthorityCertificatePath, Is.EqualTo(Path.Combine(RepositoryFiles.Configs, "ca.crt")));
        Assert.That(config.Warnings, Is.Empty);
    }

    [TestCase("dhcp.config", "DHCPConfig.xsd")]
    [TestCase("ipop.config", "IpopConfig.xsd")]
    public void Schema_ExampleConfig_Validates(string configFile, string schemaFile)
    {
        XmlReaderSettings settings = new() { ValidationType = ValidationType.Schema, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        settings.Schemas.Add(null, Path.Combine(RepositoryFiles.Configs, schemaFile));
        List<string> errors = [];
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message}");

        using (XmlReader reader = XmlReader.Create(Path.Combine(RepositoryFiles.Configs, configFile), settings))
        {
            while (reader.Read())
            {
            }
        }

        Assert.That(errors, Is.Empty);
    }
}
