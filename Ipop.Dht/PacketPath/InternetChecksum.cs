using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit big-endian words.
/// <see cref="Add"/> accumulates (an odd last byte is padded with a zero), <see cref="Finish"/> folds and complements.
/// Data whose checksum field is filled in sums to 0xffff, so <see cref="Finish"/> gives 0.
/// </summary>
internal static class InternetChecksum
{
    // Below this the scalar loop is as fast: the vector path pays a fold and a swap.
    private const int VectorMinimum = 64;

    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        // 32-bit big-endian words into a 64-bit sum, folded at the end: the same one's complement sum as 16-bit words
        // (RFC 1071 §2), with a quarter of the additions and no overflow below 2^32 words.
        ulong wide = sum;
        int i = 0;
        if (data.Length >= VectorMinimum && Vector128.IsHardwareAccelerated)
        {
            i = data.Length & ~15;
            wide += SumVectors(data[..i]);
        }
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

    /// <summary>
    /// The sum of <paramref name="data"/> (a multiple of 16 bytes) as big-endian 16-bit words, folded to 16 bits, 16 bytes
    /// at a time: native 32-bit words widened into 64-bit lanes, folded, then byte-swapped, since the one's complement
    /// sum does not depend on byte order beyond that swap (RFC 1071 §2(B)).
    /// </summary>
    private static ulong SumVectors(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        Vector128<ulong> low = Vector128<ulong>.Zero;
        Vector128<ulong> high = Vector128<ulong>.Zero;
        for (int i = 0; i < data.Length; i += 16)
        {
            (Vector128<ulong> lower, Vector128<ulong> upper) = Vector128.Widen(Vector128.LoadUnsafe(ref start, (nuint)i).AsUInt32());
            low += lower;
            high += upper;
        }
        ulong native = Vector128.Sum(low + high);
        native = (native & 0xffff_ffff) + (native >> 32);
        native = (native & 0xffff_ffff) + (native >> 32);
        native = (native & 0xffff) + (native >> 16);
        native = (native & 0xffff) + (native >> 16);
        ushort folded = (ushort)native;
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;
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
