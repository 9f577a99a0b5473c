using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>A UDP header (RFC 768); the checksum covers a pseudo-header of the IPv4 addresses, protocol and length.</summary>
internal readonly record struct UdpHeader(ushort SourcePort, ushort DestinationPort, ushort Length, ushort Checksum)
{
    public const int Size = 8;

    /// <summary>False on short input or a length field below 8 or beyond the input.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out UdpHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return false;
        }
        ushort length = BinaryPrimitives.ReadUInt16BigEndian(source[4..]);
        if (length < Size || length > source.Length)
        {
            return false;
        }
        header = new UdpHeader(
            BinaryPrimitives.ReadUInt16BigEndian(source),
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            length,
            BinaryPrimitives.ReadUInt16BigEndian(source[6..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], DestinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], Checksum);
    }

    /// <summary>
    /// The checksum for <paramref name="datagram"/> (header and payload, its checksum field zero) sent from
    /// <paramref name="source"/> to <paramref name="destination"/>. A computed 0 is sent as 0xffff (RFC 768).
    /// </summary>
    public static ushort ComputeChecksum(uint source, uint destination, ReadOnlySpan<byte> datagram)
    {
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, destination, datagram.Length), datagram));
        return checksum == 0 ? (ushort)0xffff : checksum;
    }

    /// <summary>Whether <paramref name="datagram"/>'s checksum is right; a zero checksum means "none" and passes.</summary>
    public static bool VerifyChecksum(uint source, uint destination, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < Size || datagram.Length > ushort.MaxValue)
        {
            return false;
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]) == 0)
        {
            return true;
        }
        return InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, destination, datagram.Length), datagram)) == 0;
    }

    private static uint PseudoHeaderSum(uint source, uint destination, int length) =>
        (source >> 16) + (source & 0xffff) + (destination >> 16) + (destination & 0xffff) + Ipv4Header.ProtocolUdp + (uint)length;
}
