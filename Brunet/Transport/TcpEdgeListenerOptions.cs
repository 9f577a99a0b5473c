namespace Brunet.Transport;

/// <summary>Tuning of a <see cref="TcpEdgeListener"/>.</summary>
public sealed record TcpEdgeListenerOptions
{
    /// <summary>
    /// Frames waiting in each edge's send queue. Defaults to 512; when it is full <see cref="IEdge.TrySend"/>
    /// returns false, so a slow peer costs at most this many datagrams of memory.
    /// </summary>
    public int SendQueueCapacity { get; init; } = 512;

    /// <summary>Pending connections the kernel queues before <see cref="IEdgeListener.Start"/> accepts them. Defaults to 128.</summary>
    public int ListenBacklog { get; init; } = 128;
}
