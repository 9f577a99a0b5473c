using System.Net;
using System.Net.NetworkInformation;
using Ipop.Dhcp.Server;
using Ipop.Dhcp.Wire;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

public sealed class FrameBuilderTests
{
    [Test]
    public void WriteUdpHeaders_HelloDatagram_MatchesKnownChecksums()
    {
        byte[] frame = new byte[100];
        "hello"u8.CopyTo(frame.AsSpan(FrameBuilder.UdpPayloadOffset));

        int length = FrameBuilder.WriteUdpHeaders(frame, MacAddress.Broadcast, MacAddress.VirtualGateway, 0x64400001, 0xffffffff, 67, 68, 5);

        Assert.That(length, Is.EqualTo(14 + 20 + 8 + 5));
        // IPv4 4500 0021 0000 0000 4011 cccc 6440 0001 ffff ffff: checksum 0x168c computed separately (the header's
        // words 4500+0021+4011+6440+0001+ffff+ffff, folded, complemented); UDP checksum 0x573a likewise.
        Assert.That(Convert.ToHexString(frame, 0, 34), Is.EqualTo("FFFFFFFFFFFFFEFD00000001080045000021000000004011168C64400001FFFFFFFF"));
        Assert.That(Ipv4Header.VerifyChecksum(frame.AsSpan(14, length - 14)), Is.True);
        Assert.That(Convert.ToHexString(frame, 34, 13), Is.EqualTo("00430044000D573A68656C6C6F"));
    }

    [Test]
    public async Task WriteDhcpReply_BroadcastOffer_ReadsBackThroughFrameReader()
    {
        Ipop.Dhcp.Leases.AddressPool pool = new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [], new Random(1));
        DhcpServer server = new(new DhcpServerOptions { Pool = pool, LeaseTime = 600 }, new OneAddressAllocator(IPAddress.Parse("100.64.9.9")));
        byte[] chaddr = new byte[16];
        chaddr[0] = 0x52;
        chaddr[1] = 0x54;
        DhcpMessage discover = new()
        {
            TransactionId = 42,
            Flags = DhcpMessage.BroadcastFlag,
            ClientHardwareAddress = chaddr,
            Options = [DhcpOption.FromMessageType(DhcpMessageType.Discover)],
        };
        DhcpReply reply = (await server.HandleAsync(discover))!;
        byte[] frame = new byte[1514];

        int length = FrameBuilder.WriteDhcpReply(frame, reply, MacAddress.VirtualGateway, pool.Gateway);

        Assert.That(EthernetHeader.TryRead(frame, out EthernetHeader ethernet), Is.True);
        Assert.That(ethernet.Destination, Is.EqualTo(MacAddress.Broadcast));
        Assert.That(ethernet.Source, Is.EqualTo(MacAddress.VirtualGateway));
        Assert.That(FrameReader.TryReadUdp(frame.AsSpan(0, length), out Ipv4Header ip, out UdpHeader udp, out int offset, out int payloadLength), Is.True);
        Assert.That(ip.Source, Is.EqualTo(0x64400001u));
        Assert.That(ip.Destination, Is.EqualTo(0xffffffffu));
        Assert.That((udp.SourcePort, udp.DestinationPort), Is.EqualTo(((ushort)67, (ushort)68)));
        DhcpMessage offer = DhcpMessage.Parse(frame.AsSpan(offset, payloadLength));
        Assert.That(offer.MessageType, Is.EqualTo(DhcpMessageType.Offer));
        Assert.That(offer.YourAddress, Is.EqualTo(IPAddress.Parse("100.64.9.9")));
        Assert.That(offer.ToArray(), Is.EqualTo(reply.Message.ToArray()));
    }

    [Test]
    public void FrameReader_CorruptedUdpChecksum_Refused()
    {
        byte[] frame = new byte[100];
        "hello"u8.CopyTo(frame.AsSpan(FrameBuilder.UdpPayloadOffset));
        int length = FrameBuilder.WriteUdpHeaders(frame, MacAddress.Broadcast, MacAddress.VirtualGateway, 0x64400001, 0xffffffff, 67, 68, 5);
        Assert.That(FrameReader.TryReadUdp(frame.AsSpan(0, length), out _, out _, out _, out _), Is.True);

        frame[length - 1] ^= 0x40;

        Assert.That(FrameReader.TryReadUdp(frame.AsSpan(0, length), out _, out _, out _, out _), Is.False);
    }

    [Test]
    public void WriteUdpHeaders_ShortBuffer_Throws()
    {
        Assert.Throws<ArgumentException>(() => FrameBuilder.WriteUdpHeaders(new byte[46], MacAddress.Broadcast, MacAddress.VirtualGateway, 1, 2, 3, 4, 5));
    }

    private sealed class OneAddressAllocator(IPAddress address) : IAddressAllocator
    {
        public Task<IPAddress?> AllocateAsync(PhysicalAddress mac, IPAddress? requested, CancellationToken cancellationToken) => Task.FromResult<IPAddress?>(address);

        public Task<bool> RenewAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task ReleaseAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeclineAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
