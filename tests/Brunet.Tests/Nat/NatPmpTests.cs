using System.Net;
using Brunet.Nat;

namespace Brunet.Tests.Nat;

/// <summary>Byte layouts of RFC 6886 §3.2-3.4, written out by hand as hex.</summary>
public sealed class NatPmpTests
{
    [Test]
    public void WriteExternalAddressRequest_Always_VersionZeroOpcodeZero()
    {
        byte[] buffer = [0xff, 0xff];
        int length = NatPmp.WriteExternalAddressRequest(buffer);
        Assert.That(Convert.ToHexString(buffer.AsSpan(0, length)), Is.EqualTo("0000"));
    }

    [TestCase(MappingProtocol.Udp, "00010000" + "9c40" + "9c40" + "00001c20", Description = "UDP 40000 -> 40000 for 7200 s")]
    [TestCase(MappingProtocol.Tcp, "00020000" + "9c40" + "9c40" + "00001c20", Description = "TCP: opcode 2")]
    public void WriteMapRequest_Udp40000For7200s_MatchesRfcLayout(MappingProtocol protocol, string hex)
    {
        byte[] buffer = new byte[NatPmp.MapRequestSize];
        int length = NatPmp.WriteMapRequest(buffer, protocol, 40000, 40000, 7200);
        Assert.That(Convert.ToHexString(buffer.AsSpan(0, length)), Is.EqualTo(hex.ToUpperInvariant()));
    }

    [Test]
    public void WriteMapRequest_Delete_ZeroPortAndLifetime()
    {
        byte[] buffer = new byte[NatPmp.MapRequestSize];
        NatPmp.WriteMapRequest(buffer, MappingProtocol.Udp, 40000, 0, 0);
        Assert.That(Convert.ToHexString(buffer), Is.EqualTo("000100009C40000000000000"));
    }

    [Test]
    public void TryReadExternalAddressResponse_Success_ReadsAddressAndEpoch()
    {
        byte[] reply = Convert.FromHexString("0080" + "0000" + "00000929" + "0b000005");
        Assert.That(NatPmp.TryReadExternalAddressResponse(reply, out NatPmpResultCode result, out uint epoch, out IPAddress? external), Is.True);
        Assert.That(result, Is.EqualTo(NatPmpResultCode.Success));
        Assert.That(epoch, Is.EqualTo(2345u));
        Assert.That(external, Is.EqualTo(IPAddress.Parse("11.0.0.5")));
    }

    [Test]
    public void TryReadMapResponse_Success_ReadsPortsAndLifetime()
    {
        byte[] reply = Convert.FromHexString("0081" + "0000" + "00000929" + "9c40" + "9c41" + "00001c20");
        Assert.That(NatPmp.TryReadMapResponse(reply, MappingProtocol.Udp, out NatPmpMapResponse response), Is.True);
        Assert.That(response, Is.EqualTo(new NatPmpMapResponse(NatPmpResultCode.Success, 2345, 40000, 40001, 7200)));
    }

    [Test]
    public void TryReadMapResponse_ErrorCode_ReadsResult()
    {
        byte[] reply = Convert.FromHexString("0081" + "0002" + "00000929" + "9c40" + "0000" + "00000000");
        Assert.That(NatPmp.TryReadMapResponse(reply, MappingProtocol.Udp, out NatPmpMapResponse response), Is.True);
        Assert.That(response.Result, Is.EqualTo(NatPmpResultCode.NotAuthorized));
    }

    [TestCase("0081000000000929", Description = "short")]
    [TestCase("0082000000000929" + "9c409c4100001c20", Description = "a TCP reply to a UDP request")]
    [TestCase("0281000000000929" + "9c409c4100001c20", Description = "version 2 (PCP)")]
    [TestCase("0001000000000929" + "9c409c4100001c20", Description = "a request, not a response")]
    public void TryReadMapResponse_NotAUdpMapResponse_False(string hex) =>
        Assert.That(NatPmp.TryReadMapResponse(Convert.FromHexString(hex), MappingProtocol.Udp, out _), Is.False);

    [Test]
    public void TryReadExternalAddressResponse_Short_False() =>
        Assert.That(NatPmp.TryReadExternalAddressResponse(Convert.FromHexString("00800000000009290b0000"), out _, out _, out _), Is.False);
}
