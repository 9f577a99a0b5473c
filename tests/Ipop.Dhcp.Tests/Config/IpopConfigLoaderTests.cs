using System.Net;
using Brunet.Config;
using Ipop.Dhcp.Config;

namespace Ipop.Dhcp.Tests.Config;

public sealed class IpopConfigLoaderTests
{
    private const string File = "/etc/ipop/ipop.config";

    [Test]
    public void Parse_OnlyNamespace_UsesDefaults()
    {
        IpopConfig config = IpopConfigLoader.Parse("<IpopConfig><IpopNamespace>demo</IpopNamespace></IpopConfig>", File);

        Assert.That(config.VirtualNetworkDevice, Is.EqualTo("tapipop"));
        Assert.That(config.Hostname, Is.Null);
        Assert.That(config.EnableMulticast, Is.True);
        Assert.That(config.EndToEndSecurity, Is.False);
        Assert.That(config.AllowStaticAddresses, Is.False);
        Assert.That(config.StaticAddress, Is.Null);
        Assert.That(config.GroupVpn.Enabled, Is.False);
        Assert.That(config.FilePath, Is.EqualTo(File));
    }

    [Test]
    public void Parse_GroupVpnRelativePaths_ResolveAgainstConfigFolder()
    {
        string xml = "<IpopConfig><IpopNamespace>demo</IpopNamespace><GroupVPN><Enabled>true</Enabled>"
            + "<AuthorityCertificate>ca.crt</AuthorityCertificate><Certificate>certs/node.crt</Certificate>"
            + "<KeyPath>/var/lib/ipop/node.key</KeyPath></GroupVPN></IpopConfig>";

        GroupVpnConfig group = IpopConfigLoader.Parse(xml, File).GroupVpn;

        Assert.That(group.Enabled, Is.True);
        Assert.That(group.AuthorityCertificatePath, Is.EqualTo("/etc/ipop/ca.crt"));
        Assert.That(group.CertificatePath, Is.EqualTo("/etc/ipop/certs/node.crt"));
        Assert.That(group.KeyPath, Is.EqualTo("/var/lib/ipop/node.key"));
    }

    [Test]
    public void Parse_StaticAddressAndRetiredAddressData_ReadAndWarn()
    {
        string xml = "<IpopConfig><IpopNamespace>demo</IpopNamespace><AllowStaticAddresses>True</AllowStaticAddresses>"
            + "<StaticAddress>100.64.0.2</StaticAddress><AddressData><Hostname>web-1</Hostname><IPAddress>1.2.3.4</IPAddress></AddressData>"
            + "<Bogus/></IpopConfig>";

        IpopConfig config = IpopConfigLoader.Parse(xml, File);

        Assert.That(config.AllowStaticAddresses, Is.True);
        Assert.That(config.StaticAddress, Is.EqualTo(IPAddress.Parse("100.64.0.2")));
        Assert.That(config.Hostname, Is.EqualTo("web-1"));
        Assert.That(config.Warnings, Has.Count.EqualTo(2));
        Assert.That(config.Warnings, Has.Some.Contains("IpopConfig/AddressData/IPAddress"));
        Assert.That(config.Warnings, Has.Some.Contains("IpopConfig/Bogus: unknown element"));
    }

    [TestCase("<VirtualNetworkDevice>this-name-is-too-long</VirtualNetworkDevice>", "IpopConfig/VirtualNetworkDevice", "1-15")]
    [TestCase("<VirtualNetworkDevice>tap/0</VirtualNetworkDevice>", "IpopConfig/VirtualNetworkDevice", "'/'")]
    [TestCase("<AddressData><Hostname>bad_name</Hostname></AddressData>", "IpopConfig/AddressData/Hostname", "DNS label")]
    [TestCase("<EnableMulticast>yes</EnableMulticast>", "IpopConfig/EnableMulticast", "true or false")]
    [TestCase("<StaticAddress>100.64.0.256</StaticAddress>", "IpopConfig/StaticAddress", "IPv4")]
    [TestCase("<GroupVPN><Enabled>true</Enabled><AuthorityCertificate>ca.crt</AuthorityCertificate><KeyPath>k</KeyPath></GroupVPN>", "IpopConfig/GroupVPN/Certificate", "missing")]
    [TestCase("<GroupVPN><AuthorityCertificate>ca.crt</AuthorityCertificate><Certificate>c</Certificate></GroupVPN>", "IpopConfig/GroupVPN/KeyPath", "missing")]
    [TestCase("<GroupVPN><KeyPath></KeyPath></GroupVPN>", "IpopConfig/GroupVPN/KeyPath", "file path")]
    [TestCase("<IpopNamespace>other</IpopNamespace>", "IpopConfig/IpopNamespace[2]", "duplicate")]
    public void Parse_BadValue_NamesFileElementAndReason(string extra, string element, string reason)
    {
        string xml = "<IpopConfig>\n<IpopNamespace>demo</IpopNamespace>\n" + extra + "\n</IpopConfig>";

        ConfigException error = Assert.Throws<ConfigException>(() => IpopConfigLoader.Parse(xml, File))!;

        Assert.That(error.File, Is.EqualTo(File));
        Assert.That(error.Element, Is.EqualTo(element));
        Assert.That(error.Reason, Does.Contain(reason));
    }

    [Test]
    public void Parse_MissingNamespace_NamesElement()
    {
        ConfigException error = Assert.Throws<ConfigException>(() => IpopConfigLoader.Parse("<IpopConfig/>", File))!;

        Assert.That(error.Message, Does.StartWith(File + ":").And.Contains("IpopConfig/IpopNamespace: missing"));
    }
}
