namespace Brunet.Transport;

/// <summary>
/// A datagram pipe to one remote transport address. Every edge has one receive path and one send loop with a
/// bounded queue; closing is first-reason-wins. Payloads are opaque here: the security layer above frames them.
/// </summary>
public interface IEdge
{
    TransportKind Kind { get; }

    /// <summary>The address this edge's listener is bound to.</summary>
    TransportAddress LocalAddress { get; }

    /// <summary>The peer's address as seen from here (for inbound edges, the source of its packets).</summary>
    TransportAddress RemoteAddress { get; }

    /// <summary>True when the remote side opened this edge.</summary>
    bool IsInbound { get; }

    bool IsClosed { get; }

    /// <summary>The first reason given to <see cref="Close"/>, or null while open.</summary>
    string? CloseReason { get; }

    /// <summary>
    /// Copies <paramref name="datagram"/> into the send queue. False, and the datagram is dropped, when the edge is
    /// closed, the datagram is longer than the transport carries, or the bounded queue is full (backpressure).
    /// </summary>
    bool TrySend(ReadOnlySpan<byte> datagram);

    /// <summary>
    /// Sends a run of datagrams that belong together (the chunks of one super-frame): <paramref name="datagrams"/> holds
    /// them back to back, each <paramref name="size"/> bytes but the last, which may be shorter (UDP GSO's layout). A
    /// transport that batches (UDP) queues them all or none, so they leave in one system call. True when all were taken.
    /// </summary>
    bool TrySendRun(ReadOnlySpan<byte> datagrams, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        for (int offset = 0; offset < datagrams.Length; offset += size)
        {
            if (!TrySend(datagrams.Slice(offset, Math.Min(size, datagrams.Length - offset))))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Closes the edge; only the first reason is kept, and the handler hears of it once.</summary>
    void Close(string reason);
}

/// <summary>Receives an edge's datagrams. Called on transport threads; the span is valid only during the call.</summary>
public interface IEdgeHandler
{
    void OnReceived(IEdge edge, ReadOnlySpan<byte> datagram);

    void OnClosed(IEdge edge, string reason);
}
