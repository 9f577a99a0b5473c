using System.Net;
using Brunet.Config;
using Ipop.Dhcp.Config;

namespace Ipop.Dhcp.Tests.Config;

public sealed class DhcpConfigLoaderTests
{
    private const string File = "/etc/ipop/dhcp.config";

    [TestCase("<IPBase>100.64.0.1</IPBase>", "DHCPConfig/IPBase", "network address")]
    [TestCase("<IPBase>100.64</IPBase>", "DHCPConfig/IPBase", "dotted IPv4")]
    [TestCase("<IPBase>fd00::</IPBase>", "DHCPConfig/IPBase", "dotted IPv4")]
    [TestCase("<Netmask>255.0.255.0</Netmask>", "DHCPConfig/Netmask", "contiguous")]
    [TestCase("<Netmask>255.255.255.255</Netmask>", "DHCPConfig/Netmask", "/30")]
    [TestCase("<LeaseTime>59</LeaseTime>", "DHCPConfig/LeaseTime", ">= 60")]
    [TestCase("<LeaseTime>1h</LeaseTime>", "DHCPConfig/LeaseTime", "'1h'")]
    [TestCase("<Namespace></Namespace>", "DHCPConfig/Namespace", "1-64")]
    [TestCase("<Namespace>a b</Namespace>", "DHCPConfig/Namespace", "spaces")]
    [TestCase("<ReservedIPs><IPAddress>10.0.0.1</IPAddress></ReservedIPs>", "DHCPConfig/ReservedIPs/IPAddress", "inside")]
    [TestCase("<ReservedIPs><IPAddress>100.64.0.5</IPAddress><IPAddress>x</IPAddress></ReservedIPs>", "DHCPConfig/ReservedIPs/IPAddress[2]", "'x'")]
    public void Parse_BadValue_NamesFileElementAndReason(string replacement, string element, string reason)
    {
        ConfigException error = Assert.Throws<ConfigException>(() => DhcpConfigLoader.Parse(Config(replacement), File))!;

        Assert.That(error.File, Is.EqualTo(File));
        Assert.That(error.Element, Is.EqualTo(element));
        Assert.That(error.Reason, Does.Contain(reason));
        Assert.That(error.Message, Does.StartWith(File + ":"));
        Assert.That(error.Line, Is.GreaterThan(0));
    }

    [TestCase("Namespace")]
    [TestCase("IPBase")]
    [TestCase("Netmask")]
    public void Parse_MissingRequired_NamesElement(string name)
    {
        string xml = $"<DHCPConfig>{string.Concat(Parts().Where(p => !p.StartsWith("<" + name + ">", StringComparison.Ordinal)))}</DHCPConfig>";

        ConfigException error = Assert.Throws<ConfigException>(() => DhcpConfigLoader.Parse(xml, File))!;

        Assert.That(error.Element, Is.EqualTo("DHCPConfig/" + name));
        Assert.That(error.Reason, Does.StartWith("missing"));
    }

    [Test]
    public void Parse_UnknownElementAndDuplicateReserved_Warns()
    {
        string xml = Config("<ReservedIPs><IPAddress>100.64.0.5</IPAddress><IPAddress>100.64.0.5</IPAddress><IPAddress>100.64.0.1</IPAddress></ReservedIPs>")
            .Replace("</DHCPConfig>", "<leasetime>5</leasetime></DHCPConfig>", StringComparison.Ordinal);

        DhcpConfig config = DhcpConfigLoader.Parse(xml, File);

        Assert.That(config.ReservedIPs, Is.EqualTo(new[] { IPAddress.Parse("100.64.0.5") }));
        Assert.That(config.Warnings, Has.Count.EqualTo(3));
        Assert.That(config.Warnings, Has.Some.Contains("DHCPConfig/leasetime").And.Contains("did you mean <LeaseTime>"));
        Assert.That(config.Warnings, Has.Some.Contains("duplicate 100.64.0.5"));
        Assert.That(config.Warnings, Has.Some.Contains("gateway"));
    }

    [Test]
    public void Parse_NoLeaseTime_DefaultsTo3600()
    {
        string xml = $"<DHCPConfig>{string.Concat(Parts().Where(p => !p.StartsWith("<LeaseTime>", StringComparison.Ordinal)))}</DHCPConfig>";

        Assert.That(DhcpConfigLoader.Parse(xml, File).LeaseTime, Is.EqualTo(3600));
    }

    [Test]
    public void Parse_Dtd_Refused()
    {
        string xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"x\">]>" + Config("");

        ConfigException error = Assert.Throws<ConfigException>(() => DhcpConfigLoader.Parse(xml, File))!;

        Assert.That(error.Reason, Does.Contain("DTD"));
    }

    [Test]
    public void Parse_WrongRoot_NamesExpectedRoot()
    {
        ConfigException error = Assert.Throws<ConfigException>(() => DhcpConfigLoader.Parse("<IpopConfig/>", File))!;

        Assert.That(error.Reason, Does.Contain("<DHCPConfig>"));
    }

    [Test]
    public void Load_MissingFile_NamesFile()
    {
        ConfigException error = Assert.Throws<ConfigException>(() => DhcpConfigLoader.Load("/nonexistent/dhcp.config"))!;

        Assert.That(error.Message, Is.EqualTo("/nonexistent/dhcp.config: DHCPConfig: file not found"));
    }

    private static string[] Parts() =>
    [
        "<Namespace>demo</Namespace>",
        "<IPBase>100.64.0.0</IPBase>",
        "<Netmask>255.255.0.0</Netmask>",
        "<LeaseTime>600</LeaseTime>",
    ];

    /// <summary>A valid config, one line per element, with the part of the same name replaced (or appended).</summary>
    private static string Config(string replacement)
    {
        string name = replacement.Length > 0 ? replacement[1..replacement.IndexOf('>', StringComparison.Ordinal)] : "";
        List<string> parts = [.. Parts().Where(p => name.Length == 0 || !p.StartsWith("<" + name + ">", StringComparison.Ordinal))];
        if (replacement.Length > 0)
        {
            parts.Add(replacement);
        }
        return "<DHCPConfig>\n" + string.Join("\n", parts) + "\n</DHCPConfig>";
    }
}
