using System.Buffers.Binary;

namespace Brunet.Security;

/// <summary>
/// The header of one chunk of a super-frame: one AEAD message (one counter, one tag) whose ciphertext is carried in
/// several datagrams, each no larger than an ordinary data datagram, so a 64 KB TSO frame costs one seal and one open.
/// </summary>
/// <remarks>
/// Wire format (integers big-endian), 18 bytes, then the chunk's bytes of the ciphertext + 16-byte tag:
/// <code>
/// [type u8 = 5][epoch u8][counter u64][total u32][chunk size u16][count u8][index u8][ciphertext[index * chunk size ..]]
/// </code>
/// total is the length of ciphertext + tag; every chunk but the last carries chunk size bytes, the last the rest, and
/// count = ceil(total / chunk size) (so all datagrams are equal but the last, as UDP GSO wants). The AEAD associated
/// data is the header without its index (the first 17 bytes, the same in every chunk), so a chunk that lies about the
/// message it belongs to fails the tag. The counter is the edge's transport counter (Noise nonce, replay window).
/// </remarks>
internal readonly record struct SuperChunkHeader(byte Epoch, ulong Counter, int Total, int ChunkSize, int Count, int Index)
{
    public const int Size = 1 + 1 + 8 + 4 + 2 + 1 + 1;

    /// <summary>Bytes of associated data: the header without the index.</summary>
    public const int AssociatedDataSize = Size - 1;

    /// <summary>Chunks one message may have (one UDP GSO send carries at most 64 segments).</summary>
    public const int MaxChunks = 64;

    /// <summary>Largest plaintext: an IP packet of 65,535 bytes and 64 bytes of framing (frame type, payload type, GSO facts).</summary>
    public const int MaxPlaintext = 65_535 + 64;

    /// <summary>Largest ciphertext + tag.</summary>
    public const int MaxTotal = MaxPlaintext + CipherState.TagSize;

    /// <summary>Smallest chunk a sender uses: below it a message would need more than <see cref="MaxChunks"/> chunks anyway.</summary>
    public const int MinChunkSize = 256;

    /// <summary>The chunk count for <paramref name="total"/> bytes in chunks of <paramref name="chunkSize"/>.</summary>
    public static int CountFor(int total, int chunkSize) => (total + chunkSize - 1) / chunkSize;

    /// <summary>Bytes of chunk <paramref name="index"/>.</summary>
    public int LengthOf(int index) => index < Count - 1 ? ChunkSize : Total - ((Count - 1) * ChunkSize);

    public void WriteTo(Span<byte> destination)
    {
        WriteAssociatedData(destination);
        destination[Size - 1] = (byte)Index;
    }

    /// <summary>The associated data: the header with the index left out.</summary>
    public void WriteAssociatedData(Span<byte> destination)
    {
        destination[0] = SecureEdge.TypeSuperChunk;
        destination[1] = Epoch;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], Counter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[10..], (uint)Total);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)ChunkSize);
        destination[16] = (byte)Count;
    }

    /// <summary>
    /// Reads and checks a chunk datagram: every field against the others and against the limits, and the chunk's
    /// length against what its index must carry. False, never an exception, for anything malformed.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out SuperChunkHeader header, out ReadOnlySpan<byte> chunk)
    {
        header = default;
        chunk = default;
        if (datagram.Length <= Size || datagram[0] != SecureEdge.TypeSuperChunk)
        {
            return false;
        }
        uint total = BinaryPrimitives.ReadUInt32BigEndian(datagram[10..]);
        int chunkSize = BinaryPrimitives.ReadUInt16BigEndian(datagram[14..]);
        int count = datagram[16];
        int index = datagram[17];
        if (total <= CipherState.TagSize || total > MaxTotal || chunkSize == 0 || count == 0 || count > MaxChunks || index >= count
            || CountFor((int)total, chunkSize) != count)
        {
            return false;
        }
        header = new SuperChunkHeader(datagram[1], BinaryPrimitives.ReadUInt64BigEndian(datagram[2..]), (int)total, chunkSize, count, index);
        chunk = datagram[Size..];
        if (chunk.Length != header.LengthOf(index))
        {
            header = default;
            chunk = default;
            return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="other"/> describes the same message (all fields but the index).</summary>
    public bool SameMessage(in SuperChunkHeader other) =>
        Epoch == other.Epoch && Counter == other.Counter && Total == other.Total && ChunkSize == other.ChunkSize && Count == other.Count;
}
