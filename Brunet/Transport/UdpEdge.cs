using System.Net;

namespace Brunet.Transport;

/// <summary>
/// One remote UDP end point of a <see cref="UdpEdgeListener"/>. It has no socket of its own: the listener's one
/// receive loop hands it datagrams and its one send loop sends for it.
/// </summary>
internal sealed class UdpEdge : IEdge
{
    private readonly UdpEdgeListener _listener;
    private IEdgeHandler? _handler;
    private string? _closeReason;

    public UdpEdge(UdpEdgeListener listener, SocketAddress socketAddress, TransportAddress remote, bool inbound, IEdgeHandler? handler)
    {
        _listener = listener;
        SocketAddress = socketAddress;
        RemoteAddress = remote;
        IsInbound = inbound;
        _handler = handler;
    }

    public TransportKind Kind => TransportKind.Udp;

    public TransportAddress LocalAddress => _listener.LocalAddress;

    public TransportAddress RemoteAddress { get; }

    public bool IsInbound { get; }

    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>The remote end point in the socket's own encoding: the key of the listener's edge table. Never mutated.</summary>
    internal SocketAddress SocketAddress { get; }

    internal IEdgeHandler? Handler => Volatile.Read(ref _handler);

    internal void SetHandler(IEdgeHandler handler) => Volatile.Write(ref _handler, handler);

    public bool TrySend(ReadOnlySpan<byte> datagram) => !IsClosed && _listener.Enqueue(this, datagram);

    public bool TrySendRun(ReadOnlySpan<byte> datagrams, int size) => !IsClosed && _listener.EnqueueRun(this, datagrams, size);

    public void Close(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }
        _listener.Remove(this);
        EdgeLog.EdgeClosed(_listener.Logger, ToString(), reason);
        IEdgeHandler? handler = Handler;
        if (handler is null)
        {
            return;
        }
        try
        {
            handler.OnClosed(this, reason);
        }
        catch (Exception e)
        {
            EdgeLog.HandlerFailed(_listener.Logger, ToString(), e);
        }
    }

    public override string ToString() => $"{RemoteAddress} ({(IsInbound ? "in" : "out")})";
}
