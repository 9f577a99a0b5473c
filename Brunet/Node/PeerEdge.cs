using System.Buffers;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Security;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>
/// The node's view of one secure edge: the handler of its events, its liveness clock, and the
/// <see cref="IConnectionEdge"/> that routing sends through once it is a link.
/// </summary>
internal sealed class PeerEdge : ISecureEdgeHandler, IConnectionEdge
{
    private readonly OverlayNode _node;
    private long _lastHeard;

    public PeerEdge(OverlayNode node, TransportAddress remote, long now)
    {
        _node = node;
        Remote = remote;
        Created = now;
        _lastHeard = now;
    }

    /// <summary>Set once, right after construction (the secure edge needs this object as its handler).</summary>
    public SecureEdge Secure { get; set; } = null!;

    /// <summary>The transport address dialed or seen.</summary>
    public TransportAddress Remote { get; }

    public long Created { get; }

    public long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>The authenticated peer, once the handshake is done.</summary>
    public Address? Peer => Secure.Peer?.Address;

    /// <summary>Set by the node loop when this edge carries a link.</summary>
    public bool IsLinked { get; set; }

    /// <summary>Set by the node loop while a liveness ping is outstanding.</summary>
    public bool PingOutstanding { get; set; }

    /// <summary>The link attempt this edge was dialed for, if any.</summary>
    public LinkAttempt? Attempt { get; set; }

    public TransportKind Kind => Secure.Edge?.Kind ?? Remote.Kind;

    public string RemoteAddress => (Secure.Edge?.RemoteAddress ?? Remote).ToString();

    public int MaxFrameSize => Secure.MaxPlaintextSize;

    public bool TrySend(ReadOnlySpan<byte> frame) => Secure.TrySend(frame);

    public void Close(string reason) => Secure.Close(reason);

    /// <summary>When set, the node closes this edge at that timestamp: a goodbye sent just before has time to leave.</summary>
    public long? CloseAt { get; private set; }

    public string? PendingCloseReason { get; private set; }

    /// <summary>Closes the edge a moment from now; the link is already gone from the table.</summary>
    public void CloseLater(long at, string reason)
    {
        IsLinked = false;
        CloseAt ??= at;
        PendingCloseReason ??= reason;
    }

    public void Touch(long now) => Volatile.Write(ref _lastHeard, now);

    private long _lastData;

    /// <summary>When a data packet (VPN traffic) last crossed this edge either way: on-demand links idle out on it.</summary>
    public long LastData => Volatile.Read(ref _lastData);

    public void TouchData(long now) => Volatile.Write(ref _lastData, now);

    void ISecureEdgeHandler.OnEstablished(SecureEdge edge) => _node.OnEdgeEstablished(this);

    void ISecureEdgeHandler.OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext) => _node.OnEdgeMessage(this, plaintext);

    void ISecureEdgeHandler.OnClosed(SecureEdge edge, string reason) => _node.OnEdgeClosed(this, reason);

    public override string ToString() => $"{Kind} {RemoteAddress}" + (Peer is { } peer ? $" ({peer.ToShortString()})" : "");
}
