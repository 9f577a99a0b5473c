using System.Net;
using Brunet.Nat;

namespace Brunet.Tests.Nat;

/// <summary>Byte layouts of RFC 6887 §7.1, §7.2 and §11.1, written out by hand as hex.</summary>
public sealed class PcpTests
{
    private static readonly byte[] s_nonce = Convert.FromHexString("0102030405060708090a0b0c");

    private const string MappedClient = "00000000000000000000ffff" + "c0a80502";   // ::ffff:192.168.5.2

    [Test]
    public void WriteMapRequest_Udp40000_MatchesRfcLayout()
    {
        byte[] buffer = new byte[Pcp.MapMessageSize];
        int length = Pcp.WriteMapRequest(buffer, s_nonce, MappingProtocol.Udp, 40000, IPAddress.Parse("192.168.5.2"), 40000, null, 7200);
        string expected =
            "02" + "01" + "0000" + "00001c20" + MappedClient          // version 2, R=0 MAP, reserved, lifetime, client
            + "0102030405060708090a0b0c" + "11" + "000000"           // nonce, protocol 17, reserved
            + "9c40" + "9c40" + "00000000000000000000000000000000";  // internal, suggested external port, no address
        Assert.That(length, Is.EqualTo(60));
        Assert.That(Convert.ToHexString(buffer), Is.EqualTo(expected.ToUpperInvariant()));
    }

    [Test]
    public void WriteMapRequest_SuggestedIPv4_WrittenIPv4Mapped()
    {
        byte[] buffer = new byte[Pcp.MapMessageSize];
        Pcp.WriteMapRequest(buffer, s_nonce, MappingProtocol.Tcp, 1, IPAddress.Parse("192.168.5.2"), 2, IPAddress.Parse("11.0.0.5"), 0);
        Assert.That(Convert.ToHexString(buffer.AsSpan(24 + 12, 1)), Is.EqualTo("06"));
        Assert.That(Convert.ToHexString(buffer.AsSpan(44, 16)), Is.EqualTo("00000000000000000000FFFF0B000005"));
    }

    [Test]
    public void WriteMapRequest_WrongNonceLength_Throws() =>
        Assert.Throws<ArgumentException>(() => Pcp.WriteMapRequest(new byte[60], new byte[8], MappingProtocol.Udp, 1, IPAddress.Loopback, 1, null, 1));

    [Test]
    public void TryReadMapResponse_Success_ReadsAssignedEndpoint()
    {
        string hex = "02" + "81" + "00" + "00" + "00001c20" + "00000929" + "000000000000000000000000"
            + "0102030405060708090a0b0c" + "11" + "000000" + "9c40" + "9c41" + "00000000000000000000ffff0b000005";
        Assert.That(Pcp.TryReadMapResponse(Convert.FromHexString(hex), out PcpMapResponse response), Is.True);
        Assert.That(response.Result, Is.EqualTo(PcpResultCode.Success));
        Assert.That(response.LifetimeSeconds, Is.EqualTo(7200u));
        Assert.That(response.EpochSeconds, Is.EqualTo(2345u));
        Assert.That(response.Nonce, Is.EqualTo(s_nonce));
        Assert.That(response.Protocol, Is.EqualTo(17));
        Assert.That(response.InternalPort, Is.EqualTo(40000));
        Assert.That(response.ExternalPort, Is.EqualTo(40001));
        Assert.That(response.ExternalAddress, Is.EqualTo(IPAddress.Parse("11.0.0.5")));
    }

    [Test]
    public void TryReadMapResponse_ResultCode_Read()
    {
        string hex = "02" + "81" + "00" + "08" + "00000000" + "00000929" + new string('0', 24)
            + "0102030405060708090a0b0c" + "11" + "000000" + "9c40" + "0000" + new string('0', 32);
        Assert.That(Pcp.TryReadMapResponse(Convert.FromHexString(hex), out PcpMapResponse response), Is.True);
        Assert.That(response.Result, Is.EqualTo(PcpResultCode.NoResources));
    }

    [Test]
    public void TryReadMapResponse_NatPmpUnsupportedVersionReply_False() =>
        Assert.That(Pcp.TryReadMapResponse(Convert.FromHexString("0081000100000929" + new string('0', 104)), out _), Is.False);

    [Test]
    public void TryReadMapResponse_Short_False() =>
        Assert.That(Pcp.TryReadMapResponse(Convert.FromHexString("028100000000"), out _), Is.False);

    [Test]
    public void TryReadMapResponse_RequestEcho_False()
    {
        byte[] buffer = new byte[Pcp.MapMessageSize];
        Pcp.WriteMapRequest(buffer, s_nonce, MappingProtocol.Udp, 1, IPAddress.Loopback, 1, null, 1);
        Assert.That(Pcp.TryReadMapResponse(buffer, out _), Is.False);
    }
}
