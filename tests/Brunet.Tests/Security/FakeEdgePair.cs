using Brunet.Transport;

namespace Brunet.Tests.Security;

/// <summary>
/// Two in-test edges joined back to back. Datagrams are queued and delivered by <see cref="Pump"/>, in order or
/// reversed; a filter can drop them, and every delivered datagram can be recorded for replays.
/// </summary>
internal sealed class FakeEdgePair
{
    private readonly Queue<(FakeEdge To, byte[] Datagram)> _queue = new();

    public FakeEdgePair()
    {
        A = new FakeEdge(this, TransportAddress.Parse("brunet.udp://10.0.0.1:4000"), TransportAddress.Parse("brunet.udp://192.0.2.7:5000"), false);
        B = new FakeEdge(this, TransportAddress.Parse("brunet.udp://10.0.0.2:5000"), TransportAddress.Parse("brunet.udp://198.51.100.9:4000"), true);
        A.Peer = B;
        B.Peer = A;
    }

    /// <summary>The initiator's side (outbound).</summary>
    public FakeEdge A { get; }

    /// <summary>The responder's side (inbound).</summary>
    public FakeEdge B { get; }

    /// <summary>Return true to drop a datagram going to the given edge.</summary>
    public Func<FakeEdge, byte[], bool>? Drop { get; set; }

    public bool ReverseOrder { get; set; }

    /// <summary>Every datagram sent, in send order, with its destination.</summary>
    public List<(FakeEdge To, byte[] Datagram)> Sent { get; } = [];

    public int MaxDatagram { get; set; } = 1472;

    internal bool Enqueue(FakeEdge to, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxDatagram)
        {
            return false;
        }
        byte[] copy = datagram.ToArray();
        Sent.Add((to, copy));
        _queue.Enqueue((to, copy));
        return true;
    }

    /// <summary>Delivers queued datagrams (and those they cause) until none are left or the budget runs out.</summary>
    public int Pump(int budget = 10_000)
    {
        int delivered = 0;
        while (_queue.Count > 0 && delivered < budget)
        {
            List<(FakeEdge To, byte[] Datagram)> batch = [.. _queue];
            _queue.Clear();
            if (ReverseOrder)
            {
                batch.Reverse();
            }
            foreach ((FakeEdge to, byte[] datagram) in batch)
            {
                delivered++;
                if (Drop?.Invoke(to, datagram) == true || to.IsClosed)
                {
                    continue;
                }
                to.Handler?.OnReceived(to, datagram);
            }
        }
        return delivered;
    }

    internal sealed class FakeEdge(FakeEdgePair pair, TransportAddress local, TransportAddress remote, bool inbound) : IEdge
    {
        private string? _closeReason;

        public FakeEdge Peer { get; set; } = null!;

        public IEdgeHandler? Handler { get; set; }

        public TransportKind Kind => TransportKind.Udp;

        public TransportAddress LocalAddress { get; } = local;

        public TransportAddress RemoteAddress { get; } = remote;

        public bool IsInbound { get; } = inbound;

        public bool IsClosed => _closeReason is not null;

        public string? CloseReason => _closeReason;

        public bool TrySend(ReadOnlySpan<byte> datagram) => !IsClosed && pair.Enqueue(Peer, datagram);

        public void Close(string reason)
        {
            if (_closeReason is null)
            {
                _closeReason = reason;
                Handler?.OnClosed(this, reason);
            }
        }

        /// <summary>Hands a datagram straight to this edge's handler (replays and junk).</summary>
        public void Inject(ReadOnlySpan<byte> datagram) => Handler?.OnReceived(this, datagram);
    }
}
