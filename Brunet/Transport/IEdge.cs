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

    /// <summary>Closes the edge; only the first reason is kept, and the handler hears of it once.</summary>
    void Close(string reason);
}

/// <summary>Receives an edge's datagrams. Called on transport threads; the span is valid only during the call.</summary>
public interface IEdgeHandler
{
    void OnReceived(IEdge edge, ReadOnlySpan<byte> datagram);

    void OnClosed(IEdge edge, string reason);
}
