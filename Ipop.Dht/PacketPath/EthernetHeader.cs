using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>An Ethernet II header as a TAP with IFF_NO_PI delivers it: no preamble, no FCS. VLAN tags are not parsed.</summary>
internal readonly record struct EthernetHeader(MacAddress Destination, MacAddress Source, ushort EtherType)
{
    public const int Size = 14;

    public static bool TryRead(ReadOnlySpan<byte> source, out EthernetHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }
        header = new EthernetHeader(MacAddress.Read(source), MacAddress.Read(source[6..]), BinaryPrimitives.ReadUInt16BigEndian(source[12..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        Destination.WriteTo(destination);
        Source.WriteTo(destination[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], EtherType);
    }
}
