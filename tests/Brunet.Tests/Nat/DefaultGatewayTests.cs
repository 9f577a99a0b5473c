using System.Net;
using Brunet.Nat;

namespace Brunet.Tests.Nat;

public sealed class DefaultGatewayTests
{
    private const string Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    [Test]
    public void Parse_DefaultRoute_GatewayInHostByteOrder()
    {
        string table = Header
            + "eth0\t00000000\t0105A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t0005A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        Assert.That(DefaultGateway.Parse(table), Is.EqualTo(IPAddress.Parse("192.168.5.1")));
    }

    [Test]
    public void Parse_TwoDefaultRoutes_LowestMetricWins()
    {
        string table = Header
            + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
            + "eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
        Assert.That(DefaultGateway.Parse(table), Is.EqualTo(IPAddress.Parse("10.0.0.1")));
    }

    [Test]
    public void Parse_NoDefaultRoute_Null()
    {
        string table = Header + "eth0\t0000FEC6\t00000000\t0001\t0\t0\t0\t0000FEFF\t0\t0\t0\n";
        Assert.That(DefaultGateway.Parse(table), Is.Null);
    }

    [Test]
    public void Parse_DefaultRouteWithoutGatewayFlag_Null()
    {
        string table = Header + "tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n";
        Assert.That(DefaultGateway.Parse(table), Is.Null);
    }

    [TestCase("")]
    [TestCase("garbage")]
    [TestCase("Iface\nfoo bar baz\n")]
    public void Parse_Malformed_Null(string table) => Assert.That(DefaultGateway.Parse(table), Is.Null);
}
