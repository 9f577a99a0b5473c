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

    /// <summary>
    /// Linux: serve the socket from a receive thread (recvmmsg, handlers run on it) and a send thread (sendmmsg)
    /// instead of two async loops on the thread pool. Defaults to false. Worth it for a listener that carries VPN
    /// traffic (lower latency, fewer system calls); it costs two threads and 1 MiB of receive buffers, so a process of
    /// many nodes keeps the default.
    /// </summary>
    public bool DedicatedThreads { get; init; }
}
