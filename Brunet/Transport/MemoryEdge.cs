using System.Buffers;

namespace Brunet.Transport;

/// <summary>
/// One end of an in-memory edge pair. Sending enqueues a copy in the peer's inbox and schedules one "due" tick after
/// the network's latency; each tick delivers the inbox head, and one pump at a time does so, so the handler is never
/// called concurrently and sees datagrams in send order whatever order the scheduler fires ticks in.
/// </summary>
/// <remarks>
/// The inbox is a plain <see cref="Queue{T}"/> under a lock, not a concurrent queue: the simulator holds a million of
/// these edges, and a concurrent queue's first segment (32 slots, about 1.3 KB) was 20 % of its heap. An idle
/// inbox holds at most the few slots of its busiest moment.
/// </remarks>
internal sealed class MemoryEdge : IEdge
{
    public const string RemoteClosedReason = "remote closed";

    private readonly MemoryEdgeListener _listener;
    private readonly Queue<MemoryDelivery> _inbox = new();   // guarded by lock (_inbox)
    private readonly Action _onDue;
    private MemoryEdge? _peer;
    private IEdgeHandler? _handler;
    private string? _closeReason;
    private int _due;
    private int _pumping;
    private int _inFlight;

    public MemoryEdge(MemoryEdgeListener listener, TransportAddress remote, bool inbound, IEdgeHandler? handler)
    {
        _listener = listener;
        RemoteAddress = remote;
        IsInbound = inbound;
        _handler = handler;
        _onDue = OnDue;
    }

    public TransportKind Kind => TransportKind.Memory;

    public TransportAddress LocalAddress => _listener.LocalAddress;

    public TransportAddress RemoteAddress { get; }

    public bool IsInbound { get; }

    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    private MemoryNetwork Network => _listener.Network;

    internal void Pair(MemoryEdge peer) => _peer = peer;

    internal void SetHandler(IEdgeHandler handler) => Volatile.Write(ref _handler, handler);

    /// <remarks>
    /// False when closed, crashed, empty, too long, or <see cref="MemoryNetwork.MaxInFlightPerEdge"/> datagrams are
    /// already in flight to the peer. True for a datagram that is then lost: the sender cannot tell.
    /// </remarks>
    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        MemoryEdge? peer = _peer;
        if (IsClosed || _listener.IsCrashed || peer is null || datagram.IsEmpty || datagram.Length > Network.MaxDatagramSize)
        {
            return false;
        }
        if (Volatile.Read(ref peer._inFlight) >= Network.MaxInFlightPerEdge)
        {
            return false;
        }
        if (Network.DrawLoss())
        {
            Network.CountLost();
            return true;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        peer.Enqueue(new MemoryDelivery(buffer, datagram.Length, CloseReason: null));
        return true;
    }

    public void Close(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        CloseCore(reason, notifyPeer: true);
    }

    /// <summary>Marks a refused edge closed; nobody holds a handler for it yet, and the peer learns by an exception.</summary>
    internal void CloseSilently(string reason) => Interlocked.CompareExchange(ref _closeReason, reason, null);

    public override string ToString() => $"{LocalAddress} <-> {RemoteAddress} ({(IsInbound ? "in" : "out")})";

    private void CloseCore(string reason, bool notifyPeer)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }
        _listener.Remove(this);
        if (notifyPeer && !_listener.IsCrashed && _peer is MemoryEdge peer)
        {
            peer.Enqueue(new MemoryDelivery(Buffer: null, 0, RemoteClosedReason));
        }
        if (!_listener.IsCrashed)
        {
            Volatile.Read(ref _handler)?.OnClosed(this, reason);
        }
    }

    private void Enqueue(MemoryDelivery delivery)
    {
        Interlocked.Increment(ref _inFlight);
        lock (_inbox)
        {
            _inbox.Enqueue(delivery);
        }
        Network.Scheduler.Schedule(Network.Latency, _onDue);
    }

    private void OnDue()
    {
        Interlocked.Increment(ref _due);
        if (Interlocked.CompareExchange(ref _pumping, 1, 0) != 0)
        {
            return;   // the running pump will see our tick
        }
        while (true)
        {
            while (Volatile.Read(ref _due) > 0)
            {
                Interlocked.Decrement(ref _due);
                if (TryDequeue(out MemoryDelivery delivery))
                {
                    Interlocked.Decrement(ref _inFlight);
                    Deliver(delivery);
                }
            }
            Volatile.Write(ref _pumping, 0);
            // A tick that arrived after our last look but before we let go would otherwise wait for the next one.
            if (Volatile.Read(ref _due) == 0 || Interlocked.CompareExchange(ref _pumping, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private bool TryDequeue(out MemoryDelivery delivery)
    {
        lock (_inbox)
        {
            return _inbox.TryDequeue(out delivery);
        }
    }

    private void Deliver(MemoryDelivery delivery)
    {
        try
        {
            if (delivery.Buffer is null)
            {
                if (!_listener.IsCrashed)
                {
                    CloseCore(delivery.CloseReason!, notifyPeer: false);
                }
                return;
            }
            IEdgeHandler? handler = Volatile.Read(ref _handler);
            if (IsClosed || _listener.IsCrashed || handler is null)
            {
                Network.CountLost();
                return;
            }
            Network.CountDelivered();
            handler.OnReceived(this, delivery.Buffer.AsSpan(0, delivery.Length));
        }
        catch (Exception e)
        {
            // The pump must survive a faulty handler: the fault is counted, and the edge closes with a reason naming it.
            Network.CountHandlerFault();
            try
            {
                CloseCore($"handler failed: {e.GetType().Name}: {e.Message}", notifyPeer: true);
            }
            catch (Exception)
            {
                Network.CountHandlerFault();   // OnClosed threw too; already counted as a fault, nothing more to do
            }
        }
        finally
        {
            if (delivery.Buffer is not null)
            {
                delivery.Buffer.AsSpan(0, delivery.Length).Clear();
                ArrayPool<byte>.Shared.Return(delivery.Buffer);
            }
        }
    }
}
