using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tap;

/// <summary>
/// A TAP device: the host's virtual Ethernet interface whose frames this process reads and writes. Opened with
/// IFF_TAP | IFF_NO_PI (frames start at the Ethernet header), its MTU set and its link brought up. The descriptor is
/// non-blocking: <see cref="ReadAsync"/> completes at once while frames are queued, and otherwise waits on one
/// poller thread, so reading allocates nothing per frame. One reader and any number of writers at a time.
/// </summary>
/// <remarks>
/// A TAP belongs to the network namespace of the thread that created it, for its whole life.
/// Needs CAP_NET_ADMIN. Linux only (TapDevice.Linux.cs).
/// </remarks>
internal sealed partial class TapDevice : IFrameDevice, IGsoFrameWriter, ITsoFrameSource, IDisposable, IValueTaskSource<bool>
{
    public const string DefaultName = "tapipop";

    /// <summary>Linux IFNAMSIZ less the terminating NUL.</summary>
    public const int MaxNameLength = 15;

    /// <summary>Brunet's MTU for the virtual network (also what our DHCP server offers).</summary>
    public const int DefaultMtu = 1200;

    private readonly Lock _waitLock = new();
    private readonly SemaphoreSlim _pollRequests = new(0);
    private ManualResetValueTaskSourceCore<bool> _readable = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private Thread? _poller;
    private Thread? _blockingReader;
    private int _disposed;
    private long _droppedWrites;
    private long _droppedReads;

    /// <summary>The name the kernel gave the device (as asked, or with %d filled in).</summary>
    public string Name { get; }

    /// <summary>The device's own MAC, as the host's kernel uses it for frames it sends.</summary>
    public MacAddress Mac { get; }

    public int Mtu { get; }

    /// <summary>Frames read but dropped: a malformed offload header, an unknown GSO type, or longer than the reader's buffer.</summary>
    public long DroppedReads => Interlocked.Read(ref _droppedReads);

    /// <summary>Frames <see cref="Write"/> dropped because the kernel had no room (EAGAIN, ENOBUFS).</summary>
    public long DroppedWrites => Interlocked.Read(ref _droppedWrites);

    /// <summary>Creates (or attaches to) TAP device <paramref name="name"/>, sets its MTU and brings it up.</summary>
    /// <exception cref="TapException">Not root, no /dev/net/tun, the name is bad or taken, or a system call failed.</exception>
    /// <param name="offload">
    /// Ask the host for TSO and checksum offload (IFF_VNET_HDR): its TCP then hands over frames of up to 64 KiB, which
    /// reads cut into MTU-sized frames with full checksums. Fewer, larger writes for the host; the same packets on the wire.
    /// </param>
    public static TapDevice Open(string name = DefaultName, int mtu = DefaultMtu, bool offload = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > MaxNameLength || name.Any(c => c is '/' or ':' || c <= ' ' || c > '~'))
        {
            throw new ArgumentException($"Expected a device name of 1-{MaxNameLength} ASCII characters without '/', ':' or spaces, got '{name}'.", nameof(name));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mtu, 65535);
        if (!OperatingSystem.IsLinux())
        {
            throw new TapException("TAP devices are supported on Linux only.");
        }
        return OpenLinux(name, mtu, offload);
    }

    /// <summary>
    /// Reads one frame into <paramref name="buffer"/> (give it at least MTU + 14 bytes; a longer frame is cut) and
    /// returns its length.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The device was disposed, before or during the wait.</exception>
    /// <exception cref="TapException">The read failed.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        int length = TryRead(buffer.Span);
        return length >= 0 ? new ValueTask<int>(length) : WaitAndReadAsync(buffer, cancellationToken);
    }

    /// <summary>
    /// Reads one frame on the calling thread, blocking in poll() while none is queued: the read loop of a dedicated
    /// thread that handles each frame inline (no thread hop per frame). Returns the frame's length, or -1 once the
    /// device is disposed. One such reader at a time; <see cref="Dispose"/> waits for it to leave.
    /// </summary>
    /// <exception cref="TapException">The read failed.</exception>
    public int Read(Span<byte> buffer)
    {
        Volatile.Write(ref _blockingReader, Thread.CurrentThread);
        while (Volatile.Read(ref _disposed) == 0)
        {
            int length = TryRead(buffer);
            if (length >= 0)
            {
                return length;
            }
            if (!PollReadable())
            {
                break;
            }
        }
        return -1;
    }

    /// <summary>Writes one whole frame (Ethernet header first) to the host.</summary>
    /// <exception cref="TapException">The write failed for another reason than a full queue.</exception>
    /// <summary>
    /// One frame if one is queued, without waiting: its length, or -1. Callers that read from several threads (a busy
    /// poller and the reader) must take turns: with offloads the device hands out a TSO frame's segments one by one.
    /// </summary>
    public int TryReadFrame(Span<byte> buffer) => Volatile.Read(ref _disposed) != 0 ? -1 : TryRead(buffer);

    /// <summary>Blocks until a frame can be read (true) or the device is disposed (false). For the one reader thread.</summary>
    public bool WaitReadable()
    {
        Volatile.Write(ref _blockingReader, Thread.CurrentThread);
        return Volatile.Read(ref _disposed) == 0 && PollReadable();
    }

    public void Write(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!TryWrite(frame))
        {
            Interlocked.Increment(ref _droppedWrites);
        }
    }

    /// <inheritdoc/>
    public void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize) => WriteTcp4Gso(frame, segmentSize, ecn: false);

    /// <inheritdoc/>
    public void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize, bool ecn)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!Offload)
        {
            throw new InvalidOperationException($"{Name} was opened without offloads.");
        }
        if (!TryWriteGso(frame, segmentSize, ecn))
        {
            Interlocked.Increment(ref _droppedWrites);
        }
    }

    /// <inheritdoc/>
    public void WriteTcp4Gso(ReadOnlySpan<byte> ethernet, ReadOnlySpan<byte> packet, int segmentSize, bool ecn)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!Offload)
        {
            throw new InvalidOperationException($"{Name} was opened without offloads.");
        }
        if (!TryWriteGso(ethernet, packet, segmentSize, ecn))
        {
            Interlocked.Increment(ref _droppedWrites);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        WakePoller();
        _pollRequests.Release();
        if (_poller is { } poller && poller != Thread.CurrentThread)
        {
            poller.Join();     // it leaves poll() at once: the wake descriptor is readable
        }
        if (Volatile.Read(ref _blockingReader) is { } reader && reader != Thread.CurrentThread)
        {
            reader.Join();     // the same: then nobody uses the descriptors we close below
        }
        lock (_waitLock)
        {
            if (_waiting)
            {
                _waiting = false;
                _readable.SetException(new ObjectDisposedException(nameof(TapDevice)));
            }
        }
        CloseDescriptors();
        _pollRequests.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitAndReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitReadableAsync(cancellationToken).ConfigureAwait(false);
            int length = TryRead(buffer.Span);
            if (length >= 0)
            {
                return length;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitReadableAsync(CancellationToken cancellationToken)
    {
        short version;
        lock (_waitLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            _readable.Reset();
            version = _readable.Version;
            _waiting = true;
        }
        EnsurePoller();
        _pollRequests.Release();
        using (cancellationToken.UnsafeRegister(static (state, token) => ((TapDevice)state!).CancelWait(token), this))
        {
            await new ValueTask<bool>(this, version).ConfigureAwait(false);
        }
    }

    private void CancelWait(CancellationToken token)
    {
        lock (_waitLock)
        {
            if (_waiting)
            {
                _waiting = false;
                _readable.SetException(new OperationCanceledException(token));
            }
        }
    }

    private void SignalReadable()
    {
        lock (_waitLock)
        {
            if (_waiting)
            {
                _waiting = false;
                _readable.SetResult(true);
            }
        }
    }

    private void EnsurePoller()
    {
        if (_poller is not null)
        {
            return;
        }
        lock (_waitLock)
        {
            if (_poller is null)
            {
                Thread thread = new(PollLoop) { IsBackground = true, Name = "tap-poll " + Name };
                thread.Start();
                _poller = thread;
            }
        }
    }

    /// <summary>The poller thread: for each wait request, blocks in poll() until the TAP is readable or disposal wakes it.</summary>
    private void PollLoop()
    {
        while (true)
        {
            _pollRequests.Wait();
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }
            if (!PollReadable())
            {
                return;     // woken for disposal
            }
            SignalReadable();
        }
    }

    // The awaitable face of _readable: the device is its own IValueTaskSource, so a slow wait allocates nothing.
    bool IValueTaskSource<bool>.GetResult(short token) => _readable.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _readable.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _readable.OnCompleted(continuation, state, token, flags);
}
