using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// An IPv4 header (RFC 791). <see cref="TryRead"/> accepts options (<see cref="HeaderLength"/> &gt; 20) and checks
/// that the header and <see cref="TotalLength"/> fit the input; <see cref="WriteTo"/> writes a 20-byte header.
/// Addresses are numbers (a.b.c.d is a&lt;&lt;24 | ... | d).
/// </summary>
internal readonly record struct Ipv4Header(
    byte TypeOfService,
    ushort TotalLength,
    ushort Identification,
    ushort FlagsAndFragmentOffset,
    byte TimeToLive,
    byte Protocol,
    ushort Checksum,
    uint Source,
    uint Destination,
    int HeaderLength = Ipv4Header.MinSize)
{
    public const int MinSize = 20;
    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;

    /// <summary>More Fragments flag.</summary>
    public const ushort MoreFragments = 0x2000;

    /// <summary>Don't Fragment flag.</summary>
    public const ushort DontFragment = 0x4000;

    /// <summary>True when this is a fragment (MF set or a non-zero offset).</summary>
    public bool IsFragment => (FlagsAndFragmentOffset & (MoreFragments | 0x1fff)) != 0;

    /// <summary>False on short input, version other than 4, IHL below 5, or a total length that does not fit.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Ipv4Header header)
    {
        header = default;
        if (source.Length < MinSize || (source[0] >> 4) != 4)
        {
            return false;
        }
        int headerLength = (source[0] & 0x0f) * 4;
        ushort totalLength = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if (headerLength < MinSize || headerLength > source.Length || totalLength < headerLength || totalLength > source.Length)
        {
            return false;
        }
        header = new Ipv4Header(
            source[1],
            totalLength,
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
            source[8],
            source[9],
            BinaryPrimitives.ReadUInt16BigEndian(source[10..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]),
            headerLength);
        return true;
    }

    /// <summary>Whether the header (options included) at the start of <paramref name="packet"/> has a correct checksum.</summary>
    public static bool VerifyChecksum(ReadOnlySpan<byte> packet) =>
        TryRead(packet, out Ipv4Header header) && InternetChecksum.Compute(packet[..header.HeaderLength]) == 0;

    /// <summary>Writes a 20-byte header with <see cref="Checksum"/> as it is.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (HeaderLength != MinSize)
        {
            throw new InvalidOperationException("Only 20-byte headers (no options) are written.");
        }
        destination[0] = 0x45;
        destination[1] = TypeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], TotalLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Identification);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], FlagsAndFragmentOffset);
        destination[8] = TimeToLive;
        destination[9] = Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], Checksum);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Source);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], Destination);
    }

    /// <summary>Writes a 20-byte header with its checksum computed (the <see cref="Checksum"/> property is ignored).</summary>
    public void WriteWithChecksum(Span<byte> destination)
    {
        (this with { Checksum = 0 }).WriteTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], InternetChecksum.Compute(destination[..MinSize]));
    }
}
