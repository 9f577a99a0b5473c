using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// What a receiving host needs to take a TCP/IPv4 packet of up to 64 KB as the GSO frame it stands for, carried before
/// the packet in a <see cref="Brunet.Messaging.PayloadType.IpGsoPacket"/> payload:
/// <code>
/// [flags u8: bit 0 ECN (VIRTIO_NET_HDR_GSO_ECN), others 0][reserved u8 = 0][segment size u16 BE]
/// </code>
/// The receiver derives the rest (header length, checksum start and offset) from the packet's own headers, so a peer
/// cannot point the host's kernel at bytes outside the TCP header.
/// </summary>
internal readonly record struct GsoFacts(int SegmentSize, bool Ecn)
{
    public const int Size = 4;

    private const byte FlagEcn = 0x01;

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Ecn ? FlagEcn : (byte)0;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)SegmentSize);
    }

    /// <summary>False for a short input, unknown flags or a zero segment size.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out GsoFacts facts)
    {
        facts = default;
        if (source.Length < Size || (source[0] & ~FlagEcn) != 0 || source[1] != 0)
        {
            return false;
        }
        int segmentSize = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if (segmentSize == 0)
        {
            return false;
        }
        facts = new GsoFacts(segmentSize, (source[0] & FlagEcn) != 0);
        return true;
    }
}
