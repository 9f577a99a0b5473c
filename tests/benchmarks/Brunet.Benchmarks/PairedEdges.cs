using Brunet.Transport;

namespace Brunet.Benchmarks;

/// <summary>Two in-process edges back to back; datagrams queue until <see cref="Pump"/> delivers them in order.</summary>
internal sealed class PairedEdges
{
    private static readonly TransportAddress s_a = TransportAddress.Parse("brunet.udp://10.0.0.1:4000");
    private static readonly TransportAddress s_b = TransportAddress.Parse("brunet.udp://10.0.0.2:4000");
    private readonly Queue<(Side To, byte[] Datagram)> _queue = new();

    public PairedEdges()
    {
        Initiator = new Side(this, s_a, s_b, inbound: false);
        Responder = new Side(this, s_b, s_a, inbound: true);
        Initiator.Peer = Responder;
        Responder.Peer = Initiator;
    }

    public Side Initiator { get; }

    public Side Responder { get; }

    public void Pump()
    {
        while (_queue.TryDequeue(out (Side To, byte[] Datagram) item))
        {
            if (!item.To.IsClosed)
            {
                item.To.Handler?.OnReceived(item.To, item.Datagram);
            }
        }
    }

    internal sealed class Side(PairedEdges pair, TransportAddress local, TransportAddress remote, bool inbound) : IEdge
    {
        private string? _closeReason;

        public Side Peer { get; set; } = null!;

        public IEdgeHandler? Handler { get; set; }

        public TransportKind Kind => TransportKind.Udp;

        public TransportAddress LocalAddress { get; } = local;

        public TransportAddress RemoteAddress { get; } = remote;

        public bool IsInbound { get; } = inbound;

        public bool IsClosed => _closeReason is not null;

        public string? CloseReason => _closeReason;

        public bool TrySend(ReadOnlySpan<byte> datagram)
        {
            if (IsClosed)
            {
                return false;
            }
            pair._queue.Enqueue((Peer, datagram.ToArray()));
            return true;
        }

        public void Close(string reason)
        {
            if (_closeReason is null)
            {
                _closeReason = reason;
                Handler?.OnClosed(this, reason);
            }
        }
    }
}
