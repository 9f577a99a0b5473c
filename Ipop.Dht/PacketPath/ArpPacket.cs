using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>An ARP packet for IPv4 over Ethernet (RFC 826): htype 1, ptype 0x0800, hlen 6, plen 4. Addresses as numbers.</summary>
internal readonly record struct ArpPacket(ushort Operation, MacAddress SenderMac, uint SenderIp, MacAddress TargetMac, uint TargetIp)
{
    public const int Size = 28;
    public const ushort Request = 1;
    public const ushort Reply = 2;

    private const ushort HardwareEthernet = 1;

    /// <summary>False on short input or another hardware/protocol type.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ArpPacket packet)
    {
        if (source.Length < Size
            || BinaryPrimitives.ReadUInt16BigEndian(source) != HardwareEthernet
            || BinaryPrimitives.ReadUInt16BigEndian(source[2..]) != EtherType.IPv4
            || source[4] != MacAddress.Size
            || source[5] != 4)
        {
            packet = default;
            return false;
        }
        packet = new ArpPacket(
            BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
            MacAddress.Read(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[14..]),
            MacAddress.Read(source[18..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[24..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, HardwareEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], EtherType.IPv4);
        destination[4] = MacAddress.Size;
        destination[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], Operation);
        SenderMac.WriteTo(destination[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[14..], SenderIp);
        TargetMac.WriteTo(destination[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], TargetIp);
    }
}
