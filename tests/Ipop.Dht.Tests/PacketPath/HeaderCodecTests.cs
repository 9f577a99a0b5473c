using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

public sealed class HeaderCodecTests
{
    private const string ArpRequestFrame =
        "ffffffffffff" + "525400123456" + "0806"
        + "0001" + "0800" + "06" + "04" + "0001" + "525400123456" + "64400002" + "000000000000" + "64400005";

    [Test]
    public void EthernetHeader_ArpRequest_ReadsAndWritesBack()
    {
        byte[] frame = Convert.FromHexString(ArpRequestFrame);

        Assert.That(EthernetHeader.TryRead(frame, out EthernetHeader header), Is.True);

        Assert.That(header.Destination, Is.EqualTo(MacAddress.Broadcast));
        Assert.That(header.Source.ToString(), Is.EqualTo("52:54:00:12:34:56"));
        Assert.That(header.EtherType, Is.EqualTo(EtherType.Arp));
        byte[] written = new byte[EthernetHeader.Size];
        header.WriteTo(written);
        Assert.That(written, Is.EqualTo(frame[..EthernetHeader.Size]));
    }

    [Test]
    public void ArpPacket_Request_ReadsAndWritesBack()
    {
        byte[] packet = Convert.FromHexString(ArpRequestFrame)[EthernetHeader.Size..];

        Assert.That(ArpPacket.TryRead(packet, out ArpPacket arp), Is.True);

        Assert.That(arp.Operation, Is.EqualTo(ArpPacket.Request));
        Assert.That(arp.SenderIp, Is.EqualTo(0x64400002u));
        Assert.That(arp.TargetIp, Is.EqualTo(0x64400005u));
        Assert.That(arp.TargetMac, Is.EqualTo(new MacAddress(0)));
        byte[] written = new byte[ArpPacket.Size];
        arp.WriteTo(written);
        Assert.That(written, Is.EqualTo(packet));
    }

    [TestCase("0006", 0, Description = "hardware type IEEE 802")]
    [TestCase("86dd", 2, Description = "protocol IPv6")]
    [TestCase("08", 4, Description = "hlen 8")]
    public void ArpPacket_OtherTypes_Refused(string replacement, int offset)
    {
        byte[] packet = Convert.FromHexString(ArpRequestFrame)[EthernetHeader.Size..];
        Convert.FromHexString(replacement).CopyTo(packet, offset);

        Assert.That(ArpPacket.TryRead(packet, out _), Is.False);
    }

    [Test]
    public void TryRead_EveryTruncation_ReturnsFalse()
    {
        byte[] frame = Convert.FromHexString(ArpRequestFrame);
        byte[] ip = Convert.FromHexString("45000073000040004011b861c0a80001c0a800c7");
        byte[] udp = Convert.FromHexString("00430044000d573a68656c6c6f");
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.That(EthernetHeader.TryRead(frame.AsSpan(0, length), out _), Is.EqualTo(length >= EthernetHeader.Size), $"ethernet {length}");
        }
        for (int length = 0; length < ArpPacket.Size; length++)
        {
            Assert.That(ArpPacket.TryRead(frame.AsSpan(EthernetHeader.Size, length), out _), Is.False, $"arp {length}");
        }
        for (int length = 0; length < ip.Length; length++)
        {
            Assert.That(Ipv4Header.TryRead(ip.AsSpan(0, length), out _), Is.False, $"ipv4 {length}");
        }
        for (int length = 0; length < udp.Length; length++)
        {
            Assert.That(UdpHeader.TryRead(udp.AsSpan(0, length), out _), Is.False, $"udp {length}");
        }
    }

    [TestCase("5500001400000000401100000000000000000000", Description = "version 5")]
    [TestCase("4400001400000000401100000000000000000000", Description = "IHL 4")]
    [TestCase("4600001400000000401100000000000000000000", Description = "IHL 6 beyond the input")]
    [TestCase("4500001300000000401100000000000000000000", Description = "total length below the header")]
    [TestCase("4500001500000000401100000000000000000000", Description = "total length beyond the input")]
    public void Ipv4Header_Malformed_Refused(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);

        Assert.That(Ipv4Header.TryRead(bytes, out _), Is.False);
    }

    [Test]
    public void Ipv4Header_WithOptions_ReportsHeaderLength()
    {
        // IHL 6: one 4-byte option (four NOPs), total length 24.
        byte[] bytes = Convert.FromHexString("460000180000000040010000010203040506070801010101");

        Assert.That(Ipv4Header.TryRead(bytes, out Ipv4Header header), Is.True);
        Assert.That(header.HeaderLength, Is.EqualTo(24));
        Assert.That(header.Protocol, Is.EqualTo(Ipv4Header.ProtocolIcmp));
        Assert.That(header.Source, Is.EqualTo(0x01020304u));
    }

    [Test]
    public void UdpHeader_LengthBeyondInput_Refused()
    {
        Assert.That(UdpHeader.TryRead(Convert.FromHexString("00430044000e573a68656c6c6f"), out _), Is.False);
        Assert.That(UdpHeader.TryRead(Convert.FromHexString("004300440007573a68656c6c6f"), out _), Is.False);
        Assert.That(UdpHeader.TryRead(Convert.FromHexString("00430044000d573a68656c6c6f"), out UdpHeader header), Is.True);
        Assert.That(header, Is.EqualTo(new UdpHeader(67, 68, 13, 0x573a)));
    }

    [Test]
    public void MacAddress_VirtualGateway_IsLocallyAdministeredUnicast()
    {
        byte[] bytes = new byte[MacAddress.Size];
        MacAddress.VirtualGateway.WriteTo(bytes);

        Assert.That(MacAddress.VirtualGateway.ToString(), Is.EqualTo("fe:fd:00:00:00:01"));
        Assert.That(bytes[0] & 0x02, Is.EqualTo(0x02), "locally administered");
        Assert.That(MacAddress.VirtualGateway.IsMulticast, Is.False);
        Assert.That(MacAddress.Broadcast.IsMulticast, Is.True);
        Assert.That(MacAddress.FromPhysicalAddress(MacAddress.VirtualGateway.ToPhysicalAddress()), Is.EqualTo(MacAddress.VirtualGateway));
    }
}
