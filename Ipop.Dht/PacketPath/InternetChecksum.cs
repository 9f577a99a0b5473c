using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit big-endian words.
/// <see cref="Add"/> accumulates (an odd last byte is padded with a zero), <see cref="Finish"/> folds and complements.
/// Data whose checksum field is filled in sums to 0xffff, so <see cref="Finish"/> gives 0.
/// </summary>
internal static class InternetChecksum
{
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            if (sum > 0x7fff_ffff)
            {
                sum = (sum & 0xffff) + (sum >> 16);     // fold early so a long packet never overflows
            }
        }
        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }
        return sum;
    }

    public static ushort Finish(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));
}
