using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Transport;

/// <summary>
/// UDP edges over one socket. An edge is a remote end point: a datagram from an end point without an edge asks the
/// accept callback for a handler (null drops that datagram and keeps no edge); <see cref="ConnectAsync"/> only
/// records the end point, without I/O. One receive loop and one send loop serve every edge of the listener.
/// </summary>
/// <remarks>
/// There is at most one open edge per remote end point: <see cref="ConnectAsync"/> to an end point that already has
/// an edge (inbound or outbound) throws <see cref="InvalidOperationException"/>. Closing an edge forgets the end
/// point, so a later datagram from it makes a new inbound edge. Closing is local: UDP tells the peer nothing.
/// Empty datagrams are neither sent nor delivered. IPv4 or IPv6 follows the bind address; no dual mode.
/// A datagram being delivered while another thread closes its edge may reach the handler just after
/// <see cref="IEdgeHandler.OnClosed"/>; handlers that post to a node loop should ignore datagrams of closed edges.
/// The send queue is a ring of reused buffers (<see cref="UdpSendRing"/>): queueing a datagram copies it once and
/// allocates nothing. With <see cref="UdpEdgeListenerOptions.DedicatedThreads"/> on Linux, a receive thread takes
/// datagrams in batches (recvmmsg) and a send thread sends the queue in batches (sendmmsg); otherwise two async loops
/// on the thread pool serve the socket.
/// </remarks>
public sealed partial class UdpEdgeListener : IEdgeListener
{
    /// <summary>
    /// Largest datagram carried. IPv4 allows 65,507 bytes of UDP payload (65,535 - 20 IP header - 8 UDP header);
    /// 65,000 stays under that with room for IP options, and under IPv6's 65,527.
    /// </summary>
    public const int MaxDatagram = 65_000;

    // Larger than any UDP payload, so an oversized datagram is seen whole (and dropped), never silently truncated.
    private const int ReceiveBufferSize = 65_536;

    // Datagrams the send loop takes from the queue at once (one sendmmsg on Linux with dedicated threads).
    private const int SendBatch = 64;

    private readonly Socket _socket;
    private readonly UdpSendRing _sendQueue;
    private readonly ConcurrentDictionary<SocketAddress, UdpEdge> _edges = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly LogLimiter _errorLog = LogLimiter.PerSecond();
    private readonly LogLimiter _refusedLog = LogLimiter.PerSecond();
    private readonly Task _receiveLoop;
    private readonly Task _sendLoop;
    private Func<IEdge, IEdgeHandler?>? _accept;
    private int _disposed;
    private long _datagramsReceived;
    private long _bytesReceived;
    private long _datagramsSent;
    private long _bytesSent;
    private long _sendQueueDrops;
    private long _sendQueueWaits;
    private long _receiveDrops;
    private long _refusedDatagrams;
    private long _sendErrors;
    private long _receiveErrors;
    private long _icmpErrors;

    /// <summary>Binds the socket at once (port 0 picks an ephemeral port) and starts the receive and send loops.</summary>
    /// <exception cref="SocketException">The address is in use or not local.</exception>
    public UdpEdgeListener(IPEndPoint bind, ILogger? logger = null, UdpEdgeListenerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        options ??= new UdpEdgeListenerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SendQueueCapacity, 1, nameof(options));
        Logger = logger ?? NullLogger.Instance;
        IPEndPoint local = Normalize(bind);
        _socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // SIO_UDP_CONNRESET off: an ICMP port-unreachable must not fail the next receive of every edge.
                const int SioUdpConnReset = unchecked((int)0x9800000C);
                _socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
            }
            if (options.SocketReceiveBufferSize is int receiveBuffer)
            {
                _socket.ReceiveBufferSize = receiveBuffer;
            }
            if (options.SocketSendBufferSize is int sendBuffer)
            {
                _socket.SendBufferSize = sendBuffer;
            }
            _socket.Bind(local);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalAddress = TransportAddress.Udp((IPEndPoint)_socket.LocalEndPoint!);
        _sendQueue = new UdpSendRing(options.SendQueueCapacity, keepBuffers: options.DedicatedThreads);   // full: TrySend says false, that is our backpressure
        EdgeLog.ListenerBound(Logger, LocalAddress.ToString());
        if (options.DedicatedThreads && OperatingSystem.IsLinux())
        {
            (_receiveLoop, _sendLoop) = StartThreads(options);
        }
        else
        {
            _receiveLoop = Task.Run(ReceiveLoopAsync);
            _sendLoop = Task.Run(SendLoopAsync);
        }
    }

    public TransportKind Kind => TransportKind.Udp;

    /// <summary><c>brunet.udp://IP:PORT</c> with the bound IP (possibly 0.0.0.0) and the real port.</summary>
    public TransportAddress LocalAddress { get; }

    /// <inheritdoc cref="MaxDatagram"/>
    public int MaxDatagramSize => MaxDatagram;

    /// <summary>Datagrams read from the socket, including those dropped afterwards.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Datagrams the socket accepted for sending.</summary>
    public long DatagramsSent => Interlocked.Read(ref _datagramsSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Datagrams refused by <see cref="IEdge.TrySend"/> because the send queue was full or they were too long or empty.</summary>
    public long SendQueueDrops => Interlocked.Read(ref _sendQueueDrops);

    /// <summary>Datagrams that found the send queue full and waited for room (<see cref="WaitWhenFull"/>) instead of being dropped.</summary>
    public long SendQueueWaits => Interlocked.Read(ref _sendQueueWaits);

    /// <summary>
    /// Milliseconds the calling thread waits for room when the send queue is full, before the datagram is dropped;
    /// 0 (the default) drops at once. Per thread: a VPN's TAP reader sets it (a dropped packet costs the host's TCP a
    /// retransmit and half its window), while the receive thread and the node's loop never block on the queue.
    /// </summary>
    public static int WaitWhenFull
    {
        get => t_waitWhenFull;
        set => t_waitWhenFull = Math.Max(0, value);
    }

    [ThreadStatic]
    private static int t_waitWhenFull;

    /// <summary>Received datagrams dropped for being empty or too long, or arriving for an edge that was closing.</summary>
    public long ReceiveDrops => Interlocked.Read(ref _receiveDrops);

    /// <summary>Datagrams from unknown end points dropped because the listener was not started or accept returned null.</summary>
    public long RefusedDatagrams => Interlocked.Read(ref _refusedDatagrams);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Receive errors caused by ICMP (connection reset or refused by a peer's closed port): counted, then ignored.</summary>
    public long IcmpErrors => Interlocked.Read(ref _icmpErrors);

    /// <summary>Open edges.</summary>
    public int EdgeCount => _edges.Count;

    internal ILogger Logger { get; }

    /// <remarks>
    /// Datagrams from unknown end points that arrive before this call are dropped (counted in
    /// <see cref="RefusedDatagrams"/>); outbound edges work before it. The callback runs on the receive loop, so it
    /// must return quickly.
    /// </remarks>
    public void Start(Func<IEdge, IEdgeHandler?> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _accept, accept, null) is not null)
        {
            throw new InvalidOperationException($"The listener on {LocalAddress} is already started.");
        }
    }

    /// <exception cref="ArgumentException"><paramref name="remote"/> is not a UDP address of this listener's address family.</exception>
    /// <exception cref="InvalidOperationException">An edge to that end point is already open.</exception>
    public ValueTask<IEdge> ConnectAsync(TransportAddress remote, IEdgeHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IEdge>(cancellationToken);
        }
        if (remote.Kind != TransportKind.Udp || remote.EndPoint is null)
        {
            throw new ArgumentException($"{remote} is not a brunet.udp address.", nameof(remote));
        }
        IPEndPoint endPoint = Normalize(remote.EndPoint);
        if (endPoint.AddressFamily != _socket.AddressFamily)
        {
            throw new ArgumentException($"{remote} is not reachable from {LocalAddress} (other address family).", nameof(remote));
        }
        SocketAddress key = endPoint.Serialize();
        var edge = new UdpEdge(this, key, TransportAddress.Udp(endPoint), inbound: false, handler);
        if (!_edges.TryAdd(key, edge))
        {
            throw new InvalidOperationException($"An edge to {remote} is already open on {LocalAddress}; UDP keeps one edge per remote end point.");
        }
        if (Volatile.Read(ref _disposed) != 0)
        {
            _edges.TryRemove(new KeyValuePair<SocketAddress, UdpEdge>(key, edge));
            throw new ObjectDisposedException(nameof(UdpEdgeListener));
        }
        return ValueTask.FromResult<IEdge>(edge);
    }

    /// <summary>Stops both loops, closes every edge (each handler hears once, "listener disposed") and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        CloseAllEdges();
        _sendQueue.Complete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_threads)
        {
            WakeReceiveThread();     // the threads hold the socket until they end; then it closes
        }
        else
        {
            _socket.Dispose();
        }
        await Task.WhenAll(_receiveLoop, _sendLoop).ConfigureAwait(false);
        FreeReceiveBuffers();
        _socket.Dispose();
        CloseAllEdges();   // an inbound edge accepted while the loops were stopping
        _sendQueue.Dispose();
        _stop.Dispose();
    }

    internal bool Enqueue(UdpEdge edge, ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.Length > MaxDatagram || Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Increment(ref _sendQueueDrops);
            return false;
        }
        // With dedicated threads, a datagram that finds the queue idle leaves at once from the caller's thread: one
        // thread hand-off less per packet (latency); under load the queue fills and the send thread batches.
        if (_threads && !Corked && _sendQueue.IsIdle && TrySendNow(edge, datagram))
        {
            return true;
        }
        if (_sendQueue.TryEnqueue(edge, datagram))
        {
            return true;
        }
        // A producer that asked to wait (the TAP reader: a drop there costs a TCP retransmit and halves its window)
        // waits for the send thread to free slots, a few milliseconds at most in all.
        int waitMilliseconds = WaitWhenFull;
        if (waitMilliseconds > 0)
        {
            long deadline = Environment.TickCount64 + waitMilliseconds;
            long left = waitMilliseconds;
            while (left > 0 && _sendQueue.WaitForSpace((int)left))
            {
                if (_sendQueue.TryEnqueue(edge, datagram))
                {
                    Interlocked.Increment(ref _sendQueueWaits);
                    return true;
                }
                left = deadline - Environment.TickCount64;
            }
        }
        Interlocked.Increment(ref _sendQueueDrops);
        return false;
    }

    /// <summary>
    /// A run of datagrams (each <paramref name="size"/> bytes but the last) queued as neighbours, all or none, so the
    /// send thread takes them together and sends them as UDP GSO messages. Without the send thread, one by one.
    /// </summary>
    internal bool EnqueueRun(UdpEdge edge, ReadOnlySpan<byte> datagrams, int size)
    {
        int count = datagrams.IsEmpty || size <= 0 ? 0 : (datagrams.Length + size - 1) / size;
        if (count == 0 || size > MaxDatagram || Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Increment(ref _sendQueueDrops);
            return false;
        }
        if (!_threads || count > _sendQueue.Capacity)
        {
            for (int offset = 0; offset < datagrams.Length; offset += size)
            {
                if (!Enqueue(edge, datagrams.Slice(offset, Math.Min(size, datagrams.Length - offset))))
                {
                    return false;
                }
            }
            return true;
        }
        if (_sendQueue.TryEnqueueRun(edge, datagrams, size))
        {
            return true;
        }
        int waitMilliseconds = WaitWhenFull;
        if (waitMilliseconds > 0)
        {
            long deadline = Environment.TickCount64 + waitMilliseconds;
            long left = waitMilliseconds;
            while (left > 0 && _sendQueue.WaitForSpace((int)left, count))
            {
                if (_sendQueue.TryEnqueueRun(edge, datagrams, size))
                {
                    Interlocked.Increment(ref _sendQueueWaits);
                    return true;
                }
                left = deadline - Environment.TickCount64;
            }
        }
        Interlocked.Add(ref _sendQueueDrops, count);
        return false;
    }

    internal void Remove(UdpEdge edge) => _edges.TryRemove(new KeyValuePair<SocketAddress, UdpEdge>(edge.SocketAddress, edge));

    private static IPEndPoint Normalize(IPEndPoint endPoint) => endPoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
        : endPoint;

    private static bool IsIcmpError(SocketError error) => error is SocketError.ConnectionReset
        or SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable;

    private void CloseAllEdges()
    {
        foreach (UdpEdge edge in _edges.Values)
        {
            edge.Close("listener disposed");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        int fullAddressSize = from.Size;
        CancellationToken cancellationToken = _stop.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                from.Size = fullAddressSize;   // the last receive may have shrunk it
                length = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (IsIcmpError(e.SocketErrorCode))
            {
                Interlocked.Increment(ref _icmpErrors);
                continue;
            }
            catch (SocketException e)
            {
                long count = Interlocked.Increment(ref _receiveErrors);
                if (_errorLog.TryAcquire())
                {
                    EdgeLog.ReceiveFailed(Logger, LocalAddress.ToString(), count, e.SocketErrorCode.ToString());
                }
                continue;
            }
            Deliver(buffer.AsSpan(0, length), from);
        }
    }

    private void Deliver(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        Interlocked.Increment(ref _datagramsReceived);
        Interlocked.Add(ref _bytesReceived, datagram.Length);
        if (datagram.IsEmpty || datagram.Length > MaxDatagram)
        {
            Interlocked.Increment(ref _receiveDrops);
            return;
        }
        if (!_edges.TryGetValue(from, out UdpEdge? edge))
        {
            edge = AcceptInbound(from);
            if (edge is null)
            {
                return;
            }
        }
        IEdgeHandler? handler = edge.Handler;
        if (handler is null || edge.IsClosed)
        {
            Interlocked.Increment(ref _receiveDrops);
            return;
        }
        try
        {
            handler.OnReceived(edge, datagram);
        }
        catch (Exception e)
        {
            EdgeLog.HandlerFailed(Logger, edge.ToString(), e);
            edge.Close($"handler failed: {e.GetType().Name}");
        }
    }

    private UdpEdge? AcceptInbound(SocketAddress from)
    {
        Func<IEdge, IEdgeHandler?>? accept = Volatile.Read(ref _accept);
        if (accept is null || Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Increment(ref _refusedDatagrams);
            return null;
        }
        var key = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span.CopyTo(key.Buffer.Span);
        var remote = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(key);
        var edge = new UdpEdge(this, key, TransportAddress.Udp(remote), inbound: true, handler: null);
        IEdgeHandler? handler;
        try
        {
            handler = accept(edge);
        }
        catch (Exception e)
        {
            EdgeLog.HandlerFailed(Logger, edge.ToString(), e);
            handler = null;
        }
        if (handler is null || edge.IsClosed)
        {
            edge.Close("refused by accept");   // no handler yet, so nobody hears this
            long count = Interlocked.Increment(ref _refusedDatagrams);
            if (_refusedLog.TryAcquire())
            {
                EdgeLog.InboundRefused(Logger, edge.RemoteAddress.ToString(), LocalAddress.ToString(), count);
            }
            return null;
        }
        edge.SetHandler(handler);
        if (!_edges.TryAdd(key, edge))
        {
            // ConnectAsync made an edge to this end point meanwhile: that one gets the datagram.
            edge.Close("duplicate edge");
            return _edges.TryGetValue(from, out UdpEdge? existing) ? existing : null;
        }
        if (edge.IsClosed || Volatile.Read(ref _disposed) != 0)
        {
            edge.Close("listener disposed");
            Remove(edge);
            return null;
        }
        return edge;
    }

    private async Task SendLoopAsync()
    {
        CancellationToken cancellationToken = _stop.Token;
        try
        {
            while (true)
            {
                if (!_sendQueue.TryTake(SendBatch, out int first, out int count))
                {
                    if (_sendQueue.IsDone || cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                    await _sendQueue.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    for (int i = first; i < first + count; i++)
                    {
                        await SendOneAsync(i, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _sendQueue.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
    }

    private async ValueTask SendOneAsync(int slot, CancellationToken cancellationToken)
    {
        UdpEdge edge = _sendQueue.Edge(slot);
        if (edge.IsClosed)
        {
            return;
        }
        try
        {
            int sent = await _socket.SendToAsync(_sendQueue.Buffer(slot).AsMemory(0, _sendQueue.Length(slot)), SocketFlags.None, edge.SocketAddress,
                cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _datagramsSent);
            Interlocked.Add(ref _bytesSent, sent);
        }
        catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
        {
            CountSendError(e.SocketErrorCode.ToString());
        }
    }

    private void CountSendError(string error)
    {
        // No route, an ICMP error from an earlier datagram, a full buffer: UDP loses this one datagram, the edge lives on.
        long count = Interlocked.Increment(ref _sendErrors);
        if (_errorLog.TryAcquire())
        {
            EdgeLog.SendFailed(Logger, LocalAddress.ToString(), count, error);
        }
    }
}
