namespace Brunet.Transport;

/// <summary>Accepts inbound edges and makes outbound ones over one transport (one UDP socket, one TCP listener, …).</summary>
public interface IEdgeListener : IAsyncDisposable
{
    TransportKind Kind { get; }

    /// <summary>The bound address (with the real port when the config asked for port 0).</summary>
    TransportAddress LocalAddress { get; }

    /// <summary>Largest datagram an edge of this listener carries.</summary>
    int MaxDatagramSize { get; }

    /// <summary>
    /// Starts accepting. <paramref name="accept"/> returns the handler of each new inbound edge before any of its
    /// datagrams are delivered, or null to refuse (the edge is then closed).
    /// </summary>
    void Start(Func<IEdge, IEdgeHandler?> accept);

    /// <summary>Makes an outbound edge to <paramref name="remote"/>; its datagrams go to <paramref name="handler"/>.</summary>
    ValueTask<IEdge> ConnectAsync(TransportAddress remote, IEdgeHandler handler, CancellationToken cancellationToken = default);
}
