using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Transport;

/// <summary>
/// TCP edges: one connection per edge, datagrams framed by a 2-byte big-endian length (<see cref="TcpFraming"/>),
/// TCP_NODELAY on. The fallback where UDP is blocked.
/// </summary>
/// <remarks>
/// The socket is bound and listening from the constructor; connections wait in the backlog until
/// <see cref="Start"/>. A zero-length frame closes the edge ("framing violation: …"); the peer closing or resetting
/// closes it with a reason starting "remote closed". Empty datagrams are never sent (<see cref="IEdge.TrySend"/>
/// returns false).
/// A datagram being delivered while another thread closes its edge may reach the handler just after
/// <see cref="IEdgeHandler.OnClosed"/>; handlers that post to a node loop should ignore datagrams of closed edges.
/// </remarks>
public sealed class TcpEdgeListener : IEdgeListener
{
    private readonly Socket _listenSocket;
    private readonly TcpEdgeListenerOptions _options;
    private readonly ConcurrentDictionary<TcpEdge, byte> _edges = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly LogLimiter _errorLog = LogLimiter.PerSecond();
    private Func<IEdge, IEdgeHandler?>? _accept;
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;
    private long _datagramsReceived;
    private long _bytesReceived;
    private long _datagramsSent;
    private long _bytesSent;
    private long _sendDrops;
    private long _framingViolations;
    private long _refusedConnections;

    /// <summary>Binds and listens at once (port 0 picks an ephemeral port).</summary>
    /// <exception cref="SocketException">The address is in use or not local.</exception>
    public TcpEdgeListener(IPEndPoint bind, ILogger? logger = null, TcpEdgeListenerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        _options = options ?? new TcpEdgeListenerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.SendQueueCapacity, 1, nameof(options));
        Logger = logger ?? NullLogger.Instance;
        IPEndPoint local = bind.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(bind.Address.MapToIPv4(), bind.Port) : bind;
        _listenSocket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listenSocket.Bind(local);
            _listenSocket.Listen(_options.ListenBacklog);
        }
        catch
        {
            _listenSocket.Dispose();
            throw;
        }
        LocalAddress = TransportAddress.Tcp((IPEndPoint)_listenSocket.LocalEndPoint!);
        EdgeLog.ListenerBound(Logger, LocalAddress.ToString());
    }

    public TransportKind Kind => TransportKind.Tcp;

    /// <summary><c>brunet.tcp://IP:PORT</c> with the bound IP and the real port.</summary>
    public TransportAddress LocalAddress { get; }

    /// <summary>65,535: the most a 2-byte frame length describes.</summary>
    public int MaxDatagramSize => TcpFraming.MaxPayloadSize;

    /// <summary>Frames delivered to handlers, over all edges.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    /// <summary>Bytes read from sockets (frame headers included).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Frames written to sockets.</summary>
    public long DatagramsSent => Interlocked.Read(ref _datagramsSent);

    /// <summary>Bytes written to sockets (frame headers included).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Datagrams refused by <see cref="IEdge.TrySend"/>: queue full, closed edge, empty or too long.</summary>
    public long SendDrops => Interlocked.Read(ref _sendDrops);

    /// <summary>Edges closed because the peer broke the framing.</summary>
    public long FramingViolations => Interlocked.Read(ref _framingViolations);

    /// <summary>Inbound connections closed because accept returned null.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Open edges.</summary>
    public int EdgeCount => _edges.Count;

    internal ILogger Logger { get; }

    /// <remarks>The callback runs on the accept loop, before the edge's receive loop starts.</remarks>
    public void Start(Func<IEdge, IEdgeHandler?> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _accept, accept, null) is not null)
        {
            throw new InvalidOperationException($"The listener on {LocalAddress} is already started.");
        }
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Connects to <paramref name="remote"/>; the edge is open when this completes.</summary>
    /// <exception cref="SocketException">The connection was refused, reset or could not be routed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public async ValueTask<IEdge> ConnectAsync(TransportAddress remote, IEdgeHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (remote.Kind != TransportKind.Tcp || remote.EndPoint is null)
        {
            throw new ArgumentException($"{remote} is not a brunet.tcp address.", nameof(remote));
        }
        IPEndPoint endPoint = remote.EndPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(remote.EndPoint.Address.MapToIPv4(), remote.EndPoint.Port)
            : remote.EndPoint;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var edge = new TcpEdge(this, socket, TransportAddress.Tcp(endPoint), inbound: false, handler, _options.SendQueueCapacity);
        Register(edge);
        if (!edge.IsClosed)
        {
            edge.StartLoops();
        }
        return edge;
    }

    /// <summary>Stops accepting, closes every edge (each handler hears once, "listener disposed") and waits for their loops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _listenSocket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        var loops = new List<Task>();
        foreach (TcpEdge edge in _edges.Keys)
        {
            edge.Close("listener disposed");
            loops.Add(edge.Completion);
        }
        await Task.WhenAll(loops).ConfigureAwait(false);
        _stop.Dispose();
    }

    internal void Remove(TcpEdge edge) => _edges.TryRemove(edge, out _);

    internal void CountSendDrop() => Interlocked.Increment(ref _sendDrops);

    internal void CountReceivedBytes(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    internal void CountReceivedDatagram() => Interlocked.Increment(ref _datagramsReceived);

    internal void CountSent(int frames, int bytes)
    {
        Interlocked.Add(ref _datagramsSent, frames);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void CountFramingViolation(TcpEdge edge, string reason)
    {
        long count = Interlocked.Increment(ref _framingViolations);
        if (_errorLog.TryAcquire())
        {
            EdgeLog.FramingViolation(Logger, edge.ToString(), count, reason);
        }
    }

    private void Register(TcpEdge edge)
    {
        _edges.TryAdd(edge, 0);
        if (Volatile.Read(ref _disposed) != 0)
        {
            edge.Close("listener disposed");
        }
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken cancellationToken = _stop.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync(cancellationToken).ConfigureAwait(false);
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
            catch (SocketException e)
            {
                if (_errorLog.TryAcquire())
                {
                    EdgeLog.AcceptFailed(Logger, LocalAddress.ToString(), e.SocketErrorCode.ToString());
                }
                continue;
            }
            AcceptOne(socket);
        }
    }

    private void AcceptOne(Socket socket)
    {
        TcpEdge edge;
        try
        {
            socket.NoDelay = true;
            edge = new TcpEdge(this, socket, TransportAddress.Tcp((IPEndPoint)socket.RemoteEndPoint!), inbound: true, handler: null, _options.SendQueueCapacity);
        }
        catch (SocketException e)
        {
            // Reset before we looked at it.
            socket.Dispose();
            if (_errorLog.TryAcquire())
            {
                EdgeLog.AcceptFailed(Logger, LocalAddress.ToString(), e.SocketErrorCode.ToString());
            }
            return;
        }
        IEdgeHandler? handler;
        try
        {
            handler = Volatile.Read(ref _accept)!(edge);
        }
        catch (Exception e)
        {
            EdgeLog.HandlerFailed(Logger, edge.ToString(), e);
            handler = null;
        }
        if (handler is null || edge.IsClosed)
        {
            Interlocked.Increment(ref _refusedConnections);
            edge.Close("refused by accept");   // no handler yet, so nobody hears this
            return;
        }
        edge.SetHandler(handler);
        Register(edge);
        if (!edge.IsClosed)
        {
            edge.StartLoops();
        }
    }
}
