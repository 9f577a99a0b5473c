namespace Brunet.Transport;

/// <summary>
/// The UDP listener's bounded send queue: a ring of slots, each owning a reusable buffer, so a queued datagram costs
/// one copy and no allocation (a slot's buffer grows once to the largest datagram it carried). Any number of
/// producers; one consumer (the send thread) takes whole runs of slots at a time and sends them as a batch.
/// </summary>
/// <remarks>
/// Slots between the head and head + count belong to the consumer from <see cref="TryTake"/> until
/// <see cref="Release"/>; producers only write past them. Slot buffers hold ciphertext or handshake messages; they are
/// wiped when the ring is disposed, not per datagram, since they never leave the listener.
/// </remarks>
internal sealed class UdpSendRing : IDisposable
{
    // Room for a VPN frame at a 1200-1500-byte MTU without growing; larger datagrams grow their slot once.
    private const int InitialSlotSize = 2048;

    private readonly Lock _lock = new();
    private readonly byte[][] _buffers;
    private readonly bool _keepBuffers;
    private readonly int[] _lengths;
    private readonly UdpEdge?[] _edges;
    private readonly SemaphoreSlim _ready = new(0, 1);
    private readonly ManualResetEventSlim _space = new(false);
    private int _spaceWaiters;
    private int _head;
    private int _count;
    private int _taken;
    private bool _waiting;
    private bool _completed;

    /// <param name="keepBuffers">
    /// True (a VPN node's busy listener, batch sends): each slot keeps its pinned buffer for reuse. False (a bootstrap
    /// process's many quiet listeners): a slot's buffer is rented per datagram and returned once sent, so an idle
    /// listener holds nothing after a burst (a ring cycles through all its slots: kept buffers would add up to
    /// capacity × 2 KiB per listener).
    /// </param>
    public UdpSendRing(int capacity, bool keepBuffers = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _keepBuffers = keepBuffers;
        _buffers = new byte[capacity][];
        _lengths = new int[capacity];
        _edges = new UdpEdge?[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _buffers[i] = [];     // allocated on first use: an idle listener (a bootstrap process runs 1,000) holds none
        }
    }

    public int Capacity => _buffers.Length;

    /// <summary>
    /// True when nothing is queued and nothing is being sent (taken slots count until released): a datagram sent now,
    /// past the ring, cannot overtake an earlier one. Read without the lock; a stale answer only reorders datagrams
    /// of producers racing each other, which UDP allows.
    /// </summary>
    public bool IsIdle => Volatile.Read(ref _count) == 0;

    /// <summary>Copies <paramref name="datagram"/> into the next free slot; false when the ring is full or disposed.</summary>
    public bool TryEnqueue(UdpEdge edge, ReadOnlySpan<byte> datagram) => TryEnqueueRun(edge, datagram, datagram.Length);

    /// <summary>
    /// Copies a run of datagrams (<paramref name="datagrams"/> cut every <paramref name="size"/> bytes) into neighbouring
    /// slots, all or none; false when the ring has no room for all of them or is disposed.
    /// </summary>
    public bool TryEnqueueRun(UdpEdge edge, ReadOnlySpan<byte> datagrams, int size)
    {
        if (datagrams.IsEmpty || size <= 0)
        {
            return false;
        }
        int count = (datagrams.Length + size - 1) / size;
        bool wake;
        lock (_lock)
        {
            if (_completed || _count + count > _buffers.Length)
            {
                return false;
            }
            for (int offset = 0; offset < datagrams.Length; offset += size)
            {
                Put(edge, datagrams.Slice(offset, Math.Min(size, datagrams.Length - offset)));
            }
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _ready.Release();
        }
        return true;
    }

    // Under _lock, with a free slot.
    private void Put(UdpEdge edge, ReadOnlySpan<byte> datagram)
    {
        int index = (_head + _count) % _buffers.Length;
        byte[] buffer = _buffers[index];
        if (!_keepBuffers)
        {
            buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(datagram.Length);
            _buffers[index] = buffer;
        }
        else if (buffer.Length < datagram.Length)
        {
            // Once per slot, and again only for a datagram larger than it has carried so far. Pinned (the
            // pinned object heap), so a batch send can pass the buffers to the kernel without pinning each.
            buffer = GC.AllocateUninitializedArray<byte>(Math.Max(Math.Max(datagram.Length, InitialSlotSize), buffer.Length * 2), pinned: true);
            _buffers[index] = buffer;
        }
        datagram.CopyTo(buffer);
        _lengths[index] = datagram.Length;
        _edges[index] = edge;
        _count++;
    }

    /// <summary>
    /// Takes the queued datagrams, up to <paramref name="max"/> slots in a row (not wrapping): the first slot index and
    /// how many. False when none are queued; then <see cref="Wait"/> or <see cref="WaitAsync"/> returns once some are
    /// (or the ring is completed).
    /// </summary>
    public bool TryTake(int max, out int first, out int count)
    {
        lock (_lock)
        {
            first = _head;
            if (_count == 0)
            {
                count = 0;
                _waiting = !_completed;
                return false;
            }
            count = Math.Min(Math.Min(_count, max), _buffers.Length - _head);
            _taken = count;
            return true;
        }
    }

    /// <summary>
    /// Blocks a producer that found the ring full until the consumer frees slots, at most <paramref name="timeout"/>
    /// milliseconds: true when there is room (or may be: a racing producer can take it first), false on time-out or
    /// when the ring is completed. Backpressure for a producer that would rather wait than lose the datagram.
    /// </summary>
    public bool WaitForSpace(int timeout, int slots = 1)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            if (_count + slots <= _buffers.Length)
            {
                return true;
            }
            _space.Reset();
            _spaceWaiters++;
        }
        try
        {
            return _space.Wait(timeout);
        }
        finally
        {
            lock (_lock)
            {
                _spaceWaiters--;
            }
        }
    }

    /// <summary>True once <see cref="Complete"/> was called and every queued datagram was taken.</summary>
    public bool IsDone
    {
        get
        {
            lock (_lock)
            {
                return _completed && _count == 0;
            }
        }
    }

    /// <summary>Blocks the send thread until <see cref="TryTake"/> has something (after it returned false).</summary>
    public void Wait() => _ready.Wait();

    /// <summary>The send loop's wait: a Task only when the ring ran empty, never per datagram.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _ready.WaitAsync(cancellationToken);

    public ReadOnlySpan<byte> Datagram(int index) => _buffers[index].AsSpan(0, _lengths[index]);

    public byte[] Buffer(int index) => _buffers[index];

    public int Length(int index) => _lengths[index];

    public UdpEdge Edge(int index) => _edges[index]!;

    /// <summary>Frees the slots taken by the last <see cref="TryTake"/>.</summary>
    public void Release()
    {
        lock (_lock)
        {
            for (int i = 0; i < _taken; i++)
            {
                int index = (_head + i) % _buffers.Length;
                _edges[index] = null;
                if (!_keepBuffers && _buffers[index].Length > 0)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(_buffers[index], clearArray: true);   // it held a packet
                    _buffers[index] = [];
                }
            }
            _head = (_head + _taken) % _buffers.Length;
            _count -= _taken;
            _taken = 0;
            if (_spaceWaiters > 0)
            {
                _space.Set();
            }
        }
    }

    /// <summary>Refuses further datagrams and wakes the consumer; what is queued may still be taken.</summary>
    public void Complete()
    {
        bool wake;
        lock (_lock)
        {
            _completed = true;
            wake = _waiting;
            _waiting = false;
            _space.Set();
        }
        if (wake)
        {
            _ready.Release();
        }
    }

    public void Dispose()
    {
        Complete();
        lock (_lock)
        {
            foreach (byte[] buffer in _buffers)
            {
                Array.Clear(buffer);
            }
            Array.Clear(_edges);
            _count = 0;
        }
        _ready.Dispose();
        // _space stays undisposed: a producer may still be leaving WaitForSpace; it holds no kernel handle.
    }
}
