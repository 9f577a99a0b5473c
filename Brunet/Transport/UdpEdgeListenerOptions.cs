namespace Brunet.Transport;

/// <summary>Tuning of a <see cref="UdpEdgeListener"/>; the defaults suit a node with a few hundred edges.</summary>
public sealed record UdpEdgeListenerOptions
{
    /// <summary>
    /// Datagrams waiting in the one listener-wide send queue. Defaults to 1024 (about 66 MB at worst, 1.5 MB at a
    /// 1400-byte MTU); when it is full <see cref="IEdge.TrySend"/> returns false instead of buffering more.
    /// </summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>
    /// SO_RCVBUF in bytes, or null for the operating system's default. Linux silently caps it at
    /// net.core.rmem_max for unprivileged processes.
    /// </summary>
    public int? SocketReceiveBufferSize { get; init; }

    /// <summary>SO_SNDBUF in bytes, or null for the operating system's default (capped at net.core.wmem_max).</summary>
    public int? SocketSendBufferSize { get; init; }
}
