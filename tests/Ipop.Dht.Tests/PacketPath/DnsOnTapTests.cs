using System.Buffers.Binary;
using System.Net;
using Ipop.Dht.Dns;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

public sealed class DnsOnTapTests
{
    // dig alice.ipop A, with an EDNS cookie (as in DnsResponderTests).
    private const string Query = "123401200001000000000001" + "05616c6963650469706f700000010001"
        + "00002904d000000000000c000a00080102030405060708";

    private static readonly uint s_gateway = BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse("100.64.0.1").GetAddressBytes());
    private static readonly uint s_host = BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse("100.64.0.9").GetAddressBytes());

    private sealed class Hosts : IHostResolver
    {
        public Task<IPAddress?> ResolveAsync(string hostName, CancellationToken ct) =>
            Task.FromResult(hostName == "alice" ? IPAddress.Parse("100.64.0.7") : null);
    }

    [Test]
    public async Task TryHandle_QueryToGatewayPort53_AnswersWithAFrameFromTheGateway()
    {
        var written = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dns = new DnsOnTap(new DnsResponder(new Hosts()), frame => written.TrySetResult(frame.ToArray()), s_gateway);
        var hostMac = new MacAddress(0x02_00_00_00_00_09);
        byte[] frame = QueryFrame(hostMac, s_gateway, 53);

        Assert.That(FrameReader.TryReadUdp(frame, out Ipv4Header ip, out UdpHeader udp, out int offset, out int length), Is.True);
        Assert.That(dns.TryHandle(frame, ip, udp, offset, length), Is.True);
        byte[] reply = await written.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(FrameReader.TryReadUdp(reply, out Ipv4Header replyIp, out UdpHeader replyUdp, out int replyOffset, out int replyLength), Is.True,
            "the answer is not a valid Ethernet/IPv4/UDP frame (checksums included)");
        Assert.That((replyIp.Source, replyIp.Destination, replyUdp.SourcePort, replyUdp.DestinationPort),
            Is.EqualTo((s_gateway, s_host, (ushort)53, (ushort)40000)));
        Assert.That(EthernetHeader.TryRead(reply, out EthernetHeader ethernet) && ethernet.Destination == hostMac && ethernet.Source == MacAddress.VirtualGateway, Is.True);
        byte[] answer = reply.AsSpan(replyOffset, replyLength).ToArray();
        Assert.That(Convert.ToHexStringLower(answer), Does.Contain("c00c000100010000003c0004" + "64400007"), "A 100.64.0.7 for alice.ipop");
        Assert.That(dns.Answered, Is.EqualTo(1));
    }

    [Test]
    public void TryHandle_OtherDestinationOrPort_NotOurs()
    {
        var dns = new DnsOnTap(new DnsResponder(new Hosts()), _ => Assert.Fail("answered a packet that was not for it"), s_gateway);
        foreach (byte[] frame in new[] { QueryFrame(new MacAddress(2), s_gateway + 1, 53), QueryFrame(new MacAddress(2), s_gateway, 5353) })
        {
            Assert.That(FrameReader.TryReadUdp(frame, out Ipv4Header ip, out UdpHeader udp, out int offset, out int length), Is.True);
            Assert.That(dns.TryHandle(frame, ip, udp, offset, length), Is.False);
        }
    }

    private static byte[] QueryFrame(MacAddress hostMac, uint destination, ushort port)
    {
        byte[] query = Convert.FromHexString(Query);
        byte[] frame = new byte[FrameBuilder.UdpPayloadOffset + query.Length];
        query.CopyTo(frame, FrameBuilder.UdpPayloadOffset);
        int length = FrameBuilder.WriteUdpHeaders(frame, MacAddress.VirtualGateway, hostMac, s_host, destination, 40000, port, query.Length);
        return frame[..length];
    }
}
