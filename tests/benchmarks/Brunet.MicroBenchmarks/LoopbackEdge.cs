using Brunet.Transport;

namespace Brunet.MicroBenchmarks;

/// <summary>Half of an in-process edge pair that hands each datagram straight to the other half's handler.</summary>
internal sealed class LoopbackEdge(TransportAddress local, TransportAddress remote, bool inbound) : IEdge
{
    public LoopbackEdge? Peer { get; set; }

    public IEdgeHandler? Handler { get; set; }

    /// <summary>True: datagrams are dropped here (a benchmark of the sending side alone).</summary>
    public bool Discard { get; set; }

    public TransportKind Kind => TransportKind.Memory;

    public TransportAddress LocalAddress { get; } = local;

    public TransportAddress RemoteAddress { get; } = remote;

    public bool IsInbound { get; } = inbound;

    public bool IsClosed => false;

    public string? CloseReason => null;

    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        if (Discard)
        {
            return true;
        }
        Peer!.Handler!.OnReceived(Peer, datagram);
        return true;
    }

    public void Close(string reason)
    {
    }
}
