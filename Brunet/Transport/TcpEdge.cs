using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Brunet.Transport;

/// <summary>
/// One TCP connection carrying length-framed datagrams (<see cref="TcpFraming"/>), with one receive loop and one
/// send loop over a bounded queue. Closing disposes the socket, which ends both loops and tells the peer.
/// </summary>
internal sealed class TcpEdge : IEdge
{
    /// <summary>The peer closed the connection (FIN or RST). Prefix of every remote-close reason.</summary>
    public const string RemoteClosedReason = "remote closed";

    // Room for more than one largest frame, so a partial frame left at the end always fits after compaction.
    private const int ReceiveBufferSize = 128 * 1024;

    // Queued frames are coalesced into one send of up to this many bytes (plus one frame).
    private const int SendBatchSize = 64 * 1024;

    private readonly TcpEdgeListener _listener;
    private readonly Socket _socket;
    private readonly Channel<TcpOutgoing> _sendQueue;
    private readonly CancellationTokenSource _stop = new();
    private IEdgeHandler? _handler;
    private string? _closeReason;
    private Task _completion = Task.CompletedTask;

    public TcpEdge(TcpEdgeListener listener, Socket socket, TransportAddress remote, bool inbound, IEdgeHandler? handler, int sendQueueCapacity)
    {
        _listener = listener;
        _handler = handler;
        _socket = socket;
        RemoteAddress = remote;
        IsInbound = inbound;
        _sendQueue = Channel.CreateBounded<TcpOutgoing>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,   // TryWrite says false when full: backpressure to the caller
        });
    }

    public TransportKind Kind => TransportKind.Tcp;

    public TransportAddress LocalAddress => _listener.LocalAddress;

    public TransportAddress RemoteAddress { get; }

    public bool IsInbound { get; }

    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Completes when both loops have ended (after <see cref="Close"/>).</summary>
    internal Task Completion => Volatile.Read(ref _completion);

    /// <summary>Gives an inbound edge the handler its listener's accept callback chose.</summary>
    internal void SetHandler(IEdgeHandler handler) => Volatile.Write(ref _handler, handler);

    /// <summary>Starts both loops; the handler must be set.</summary>
    internal void StartLoops() =>
        Volatile.Write(ref _completion, Task.WhenAll(Task.Run(ReceiveLoopAsync), Task.Run(SendLoopAsync)));

    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        if (IsClosed || datagram.IsEmpty || datagram.Length > TcpFraming.MaxPayloadSize)
        {
            _listener.CountSendDrop();
            return false;
        }
        int frameLength = TcpFraming.HeaderSize + datagram.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(frameLength);
        TcpFraming.WriteHeader(buffer, datagram.Length);
        datagram.CopyTo(buffer.AsSpan(TcpFraming.HeaderSize));
        if (_sendQueue.Writer.TryWrite(new TcpOutgoing(buffer, frameLength)))
        {
            return true;
        }
        ReturnBuffer(buffer, frameLength);
        _listener.CountSendDrop();
        return false;
    }

    public void Close(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }
        _sendQueue.Writer.TryComplete();
        _stop.Cancel();
        _socket.Dispose();   // FIN (or RST with unread data) to the peer; pending socket calls end
        _listener.Remove(this);
        EdgeLog.EdgeClosed(_listener.Logger, ToString(), reason);
        IEdgeHandler? handler = Volatile.Read(ref _handler);
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

    private static void ReturnBuffer(byte[] buffer, int length)
    {
        buffer.AsSpan(0, length).Clear();
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        int filled = 0;
        string reason = "receive loop ended";
        CancellationToken cancellationToken = _stop.Token;
        try
        {
            while (true)
            {
                int received = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (received == 0)
                {
                    reason = RemoteClosedReason;
                    break;
                }
                _listener.CountReceivedBytes(received);
                filled += received;
                int consumed = DeliverFrames(buffer.AsSpan(0, filled), out string? violation);
                if (violation is not null)
                {
                    reason = violation;
                    _listener.CountFramingViolation(this, violation);
                    break;
                }
                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            reason = RemoteClosedReason + " (" + e.SocketErrorCode + ")";
        }
        catch (SocketException e)
        {
            reason = "receive failed: " + e.SocketErrorCode;
        }
        catch (OperationCanceledException)
        {
            reason = "closed";
        }
        catch (ObjectDisposedException)
        {
            reason = "closed";
        }
        catch (Exception e)
        {
            EdgeLog.HandlerFailed(_listener.Logger, ToString(), e);
            reason = "handler failed: " + e.GetType().Name;
        }
        finally
        {
            Close(reason);   // no-op when a local Close ended the loop
            ReturnBuffer(buffer, filled);
        }
    }

    /// <summary>Hands every whole frame at the start of <paramref name="data"/> to the handler; returns the bytes used.</summary>
    private int DeliverFrames(ReadOnlySpan<byte> data, out string? violation)
    {
        violation = null;
        int consumed = 0;
        IEdgeHandler handler = Volatile.Read(ref _handler)!;
        while (!IsClosed)
        {
            OperationStatus status = TcpFraming.ReadFrame(data[consumed..], out int payloadLength);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }
            if (status != OperationStatus.Done)
            {
                violation = "framing violation: zero-length frame";
                break;
            }
            ReadOnlySpan<byte> payload = data.Slice(consumed + TcpFraming.HeaderSize, payloadLength);
            consumed += TcpFraming.HeaderSize + payloadLength;
            _listener.CountReceivedDatagram();
            handler.OnReceived(this, payload);
        }
        return consumed;
    }

    private async Task SendLoopAsync()
    {
        ChannelReader<TcpOutgoing> reader = _sendQueue.Reader;
        CancellationToken cancellationToken = _stop.Token;
        byte[] batch = ArrayPool<byte>.Shared.Rent(SendBatchSize + TcpFraming.MaxFrameSize);
        int length = 0;
        string? reason = null;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                length = 0;
                int frames = 0;
                while (length < SendBatchSize && reader.TryRead(out TcpOutgoing item))
                {
                    item.Buffer.AsSpan(0, item.Length).CopyTo(batch.AsSpan(length));
                    length += item.Length;
                    frames++;
                    ReturnBuffer(item.Buffer, item.Length);
                }
                int sent = 0;
                while (sent < length)
                {
                    sent += await _socket.SendAsync(batch.AsMemory(sent, length - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                _listener.CountSent(frames, length);
                batch.AsSpan(0, length).Clear();
                length = 0;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            reason = RemoteClosedReason + " (" + e.SocketErrorCode + ")";
        }
        catch (SocketException e)
        {
            reason = "send failed: " + e.SocketErrorCode;
        }
        catch (OperationCanceledException)
        {
            reason = null;
        }
        catch (ObjectDisposedException)
        {
            reason = null;
        }
        finally
        {
            if (reason is not null)
            {
                Close(reason);
            }
            ReturnBuffer(batch, length);
            while (reader.TryRead(out TcpOutgoing item))
            {
                ReturnBuffer(item.Buffer, item.Length);
            }
        }
    }
}
