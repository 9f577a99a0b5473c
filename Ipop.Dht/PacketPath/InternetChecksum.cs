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
        // 32-bit big-endian words into a 64-bit sum, folded at the end: the same one's complement sum as 16-bit words
        // (RFC 1071 §2), with a quarter of the additions and no overflow below 2^32 words.
        ulong wide = sum;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            wide += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        }
        if (i + 2 <= data.Length)
        {
            wide += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            i += 2;
        }
        if (i < data.Length)
        {
            wide += (uint)data[i] << 8;
        }
        wide = (wide & 0xffff_ffff) + (wide >> 32);
        wide = (wide & 0xffff_ffff) + (wide >> 32);
        wide = (wide & 0xffff) + (wide >> 16);
        wide = (wide & 0xffff) + (wide >> 16);
        return (uint)wide;
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
