using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

public sealed class ArpResponderTests
{
    private static readonly ArpResponder s_responder = new(MacAddress.VirtualGateway, 0x64400000, 0xffff0000);

    [Test]
    public void TryBuildReply_RequestForPeer_RepliesWithGatewayMac()
    {
        byte[] request = Frame(senderIp: "64400002", targetIp: "64400005");
        byte[] reply = new byte[64];

        Assert.That(s_responder.TryBuildReply(request, reply, out int written), Is.True);

        Assert.That(written, Is.EqualTo(42));
        string expected = "525400123456" + "fefd00000001" + "0806"
            + "0001" + "0800" + "0604" + "0002" + "fefd00000001" + "64400005" + "525400123456" + "64400002";
        Assert.That(Convert.ToHexString(reply, 0, written), Is.EqualTo(expected.ToUpperInvariant()));
    }

    [Test]
    public void TryBuildReply_RequestForGateway_Replies()
    {
        Assert.That(s_responder.TryBuildReply(Frame("64400002", "64400001"), new byte[42], out _), Is.True);
    }

    [TestCase("64400002", "0a000005", Description = "outside the subnet")]
    [TestCase("64400002", "64400000", Description = "network address")]
    [TestCase("64400002", "6440ffff", Description = "broadcast address")]
    [TestCase("00000000", "64400002", Description = "RFC 5227 probe for the host's own new address")]
    [TestCase("64400002", "64400002", Description = "announcement (gratuitous ARP)")]
    public void TryBuildReply_NotOurs_NoReply(string senderIp, string targetIp)
    {
        Assert.That(s_responder.TryBuildReply(Frame(senderIp, targetIp), new byte[42], out int written), Is.False);
        Assert.That(written, Is.Zero);
    }

    [Test]
    public void TryBuildReply_ReplyOrTruncatedOrIp_NoReply()
    {
        byte[] reply = Frame("64400002", "64400005");
        reply[21] = 2;      // operation: reply

        Assert.That(s_responder.TryBuildReply(reply, new byte[42], out _), Is.False);
        Assert.That(s_responder.TryBuildReply(Frame("64400002", "64400005").AsSpan(0, 41), new byte[42], out _), Is.False);
        byte[] ipFrame = Frame("64400002", "64400005");
        ipFrame[12] = 0x08;
        ipFrame[13] = 0x00;
        Assert.That(s_responder.TryBuildReply(ipFrame, new byte[42], out _), Is.False);
    }

    private static byte[] Frame(string senderIp, string targetIp) => Convert.FromHexString(
        "ffffffffffff" + "525400123456" + "0806" + "0001" + "0800" + "0604" + "0001" + "525400123456" + senderIp + "000000000000" + targetIp);
}
