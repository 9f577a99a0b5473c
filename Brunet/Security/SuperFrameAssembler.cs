namespace Brunet.Security;

/// <summary>
/// Reassembles super-frames (<see cref="SuperChunkHeader"/>) on one edge in a few slots, one message each. A slot's
/// buffer is allocated the first time it is used and kept with the edge, so a stream allocates nothing per message.
/// A chunk of a message without a slot takes a free one, else the one of the oldest message (its chunks are dropped
/// and counted: a lost chunk never completes it); a chunk older than every message in the slots is dropped.
/// </summary>
/// <remarks>Not thread-safe: the secure edge's receive lock guards it. Slots hold ciphertext, then plaintext until
/// <see cref="Release"/> wipes them.</remarks>
internal sealed class SuperFrameAssembler
{
    /// <summary>Messages reassembled at once on one edge.</summary>
    public const int SlotCount = 4;

    private readonly Slot[] _slots = new Slot[SlotCount];

    public enum Result
    {
        /// <summary>Stored; the message still misses chunks.</summary>
        Pending,

        /// <summary>Stored, and it was the message's last missing chunk: <see cref="Message"/> holds the whole ciphertext.</summary>
        Complete,

        /// <summary>A chunk already stored: dropped.</summary>
        Duplicate,

        /// <summary>Its header disagrees with the other chunks of its counter (total, chunk size or count): dropped.</summary>
        Mismatch,

        /// <summary>Older than every message in the full slots: dropped.</summary>
        Stale,
    }

    /// <summary>Incomplete messages dropped because a newer one needed the slot.</summary>
    public long Evicted { get; private set; }

    /// <summary>Stores one chunk; on <see cref="Result.Complete"/>, <paramref name="slot"/> names the finished message.</summary>
    public Result Add(in SuperChunkHeader header, ReadOnlySpan<byte> chunk, out int slot)
    {
        slot = Find(header, out bool found);
        if (slot < 0)
        {
            return Result.Stale;
        }
        ref Slot s = ref _slots[slot];
        if (found)
        {
            if (!s.Header.SameMessage(header))
            {
                return Result.Mismatch;
            }
        }
        else
        {
            if (s.Active)
            {
                Evicted++;
                Wipe(ref s);
            }
            s.Buffer ??= GC.AllocateUninitializedArray<byte>(SuperChunkHeader.MaxTotal);
            s.Header = header with { Index = 0 };
            s.Active = true;
            s.Received = 0;
            s.Missing = header.Count;
        }
        ulong bit = 1UL << header.Index;
        if ((s.Received & bit) != 0)
        {
            return Result.Duplicate;
        }
        chunk.CopyTo(s.Buffer.AsSpan(header.Index * header.ChunkSize));
        s.Received |= bit;
        s.Missing--;
        return s.Missing == 0 ? Result.Complete : Result.Pending;
    }

    /// <summary>The header (index 0) of the message in <paramref name="slot"/>.</summary>
    public SuperChunkHeader HeaderOf(int slot) => _slots[slot].Header;

    /// <summary>The message in <paramref name="slot"/>: ciphertext and tag, <see cref="SuperChunkHeader.Total"/> bytes. Writable (open in place).</summary>
    public Span<byte> Message(int slot) => _slots[slot].Buffer.AsSpan(0, _slots[slot].Header.Total);

    /// <summary>Frees <paramref name="slot"/> after its message was opened (or refused) and wipes what it held.</summary>
    public void Release(int slot) => Wipe(ref _slots[slot]);

    /// <summary>Slots holding part of a message now.</summary>
    public int ActiveCount
    {
        get
        {
            int count = 0;
            foreach (Slot s in _slots)
            {
                count += s.Active ? 1 : 0;
            }
            return count;
        }
    }

    // The slot of the header's message, else a free slot, else the oldest message's if the header is newer; -1 otherwise.
    private int Find(in SuperChunkHeader header, out bool found)
    {
        int free = -1;
        int oldest = -1;
        for (int i = 0; i < _slots.Length; i++)
        {
            ref Slot s = ref _slots[i];
            if (!s.Active)
            {
                free = free < 0 ? i : free;
                continue;
            }
            if (s.Header.Counter == header.Counter)
            {
                found = true;
                return i;
            }
            if (oldest < 0 || s.Header.Counter < _slots[oldest].Header.Counter)
            {
                oldest = i;
            }
        }
        found = false;
        if (free >= 0)
        {
            return free;
        }
        return header.Counter > _slots[oldest].Header.Counter ? oldest : -1;
    }

    private static void Wipe(ref Slot s)
    {
        if (s.Active && s.Buffer is { } buffer)
        {
            buffer.AsSpan(0, s.Header.Total).Clear();
        }
        s.Active = false;
        s.Received = 0;
        s.Missing = 0;
    }

    private struct Slot
    {
        public bool Active;
        public SuperChunkHeader Header;
        public byte[]? Buffer;
        public ulong Received;
        public int Missing;
    }
}
