using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking.Tunnel;
using Brunet.Security;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>Edges: accepting, dialing, handshakes finishing, edges closing.</summary>
public sealed partial class OverlayNode
{
    /// <summary>A new inbound edge, on a transport thread: give it a responder handshake, or refuse it.</summary>
    private IEdgeHandler? AcceptEdge(IEdge edge)
    {
        if (Volatile.Read(ref _state) != 1 || Volatile.Read(ref _edgeCount) >= Options.MaxEdges || HeardOpener(edge))
        {
            return null;
        }
        var peerEdge = new PeerEdge(this, edge.RemoteAddress, Loop.Time.GetTimestamp());
        var secure = new SecureEdge(Identity, HandshakeFor(edge.Kind), isInitiator: false, peerEdge, Loop.Time);
        peerEdge.Secure = secure;
        secure.Attach(edge);
        Interlocked.Increment(ref _edgeCount);
        Interlocked.Increment(ref Counters._edgesOpened);
        Loop.Post(() => _edges.Add(peerEdge));
        return secure;
    }

    private int _edgeCount;

    /// <summary>Dials <paramref name="remote"/> for <paramref name="attempt"/>. On the loop.</summary>
    private void Dial(LinkAttempt attempt, TransportAddress remote)
    {
        IEdgeListener? listener = remote.Kind == TransportKind.Tunnel ? _tunnel : _listeners.FirstOrDefault(l => l.Kind == remote.Kind);
        if (listener is null)
        {
            NextAddress(attempt, $"no {remote.Kind} listener");
            return;
        }
        // One edge per remote address: reuse an edge already there (a UDP socket pair carries one session).
        PeerEdge? existing = _edges.FirstOrDefault(e => !e.Secure.IsClosed && e.Remote == remote);
        if (existing is not null)
        {
            if (existing.Secure.IsEstablished && existing.Peer is { } peer && (attempt.Target is null || attempt.Target == peer))
            {
                attempt.Current = existing;
                RequestLink(attempt, existing);
                return;
            }
            if (!existing.Secure.IsEstablished && existing.Attempt is null)
            {
                attempt.Current = existing;
                existing.Attempt = attempt;
                return;   // its handshake is under way; OnEdgeEstablished continues the attempt
            }
            NextAddress(attempt, "address in use by another edge");
            return;
        }
        var peerEdge = new PeerEdge(this, remote, Loop.Time.GetTimestamp()) { Attempt = attempt };
        peerEdge.Secure = new SecureEdge(Identity, HandshakeFor(remote.Kind), isInitiator: true, peerEdge, Loop.Time, attempt.Target);
        attempt.Current = peerEdge;
        attempt.CurrentStarted = Loop.Time.GetTimestamp();
        _edges.Add(peerEdge);
        Interlocked.Increment(ref _edgeCount);
        Interlocked.Increment(ref Counters._edgesOpened);
        _ = ConnectAsync(listener, remote, peerEdge);
    }

    /// <summary>Relay edges carry their datagrams inside our own frames, so theirs are smaller.</summary>
    private HandshakeOptions HandshakeFor(TransportKind kind) => kind == TransportKind.Tunnel
        ? _handshake with { MaxDatagramSize = Math.Min(_handshake.MaxDatagramSize, _tunnel.MaxDatagramSize) }
        : _handshake;

    private async Task ConnectAsync(IEdgeListener listener, TransportAddress remote, PeerEdge peerEdge)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Options.LinkAttemptTimeout);
            IEdge edge = await listener.ConnectAsync(remote, peerEdge.Secure, timeout.Token).ConfigureAwait(false);
            peerEdge.Secure.Attach(edge);   // sends handshake message 1
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException or IOException or ArgumentException)
        {
            peerEdge.Secure.Close($"connect failed: {e.Message}");
        }
    }

    /// <summary>A handshake finished (transport thread): continue on the loop.</summary>
    internal void OnEdgeEstablished(PeerEdge edge) => Loop.Post(() => EdgeEstablished(edge));

    private void EdgeEstablished(PeerEdge edge)
    {
        if (_state != 1 || edge.Secure.IsClosed || edge.Peer is not { } peer)
        {
            return;
        }
        if (peer == Address)
        {
            edge.Close("connected to itself");
            return;
        }
        if (edge.Secure.Peer?.ObservedAddress is { } observedText && TransportAddress.TryParse(observedText, out TransportAddress? observed))
        {
            NoteObservedAddress(observed, peer);
        }
        if (edge.Attempt is { } attempt && !attempt.Done)
        {
            RequestLink(attempt, edge);
        }
    }

    /// <summary>An edge closed (transport thread or loop): clean up on the loop.</summary>
    internal void OnEdgeClosed(PeerEdge edge, string reason) => Loop.Post(() => EdgeClosed(edge, reason));

    private void EdgeClosed(PeerEdge edge, string reason)
    {
        if (_edges.Remove(edge))
        {
            Interlocked.Decrement(ref _edgeCount);
            Interlocked.Increment(ref Counters._edgesClosed);
            if (!edge.Secure.IsEstablished)
            {
                Interlocked.Increment(ref Counters._handshakesFailed);
            }
        }
        if (edge.Peer is { } peer && Connections.Get(peer) is { } connection && ReferenceEquals(connection.Edge, edge))
        {
            RemoveConnection(peer, reason);
        }
        if (edge.Attempt is { Done: false } attempt && ReferenceEquals(attempt.Current, edge))
        {
            NextAddress(attempt, reason);
        }
    }

    private void NoteObservedAddress(TransportAddress observed, Address reporter)
    {
        // Only UDP reflections mean anything: a TCP peer sees our outgoing connection's ephemeral port.
        if (observed.Kind != TransportKind.Udp || observed.EndPoint is null || !NoteReflection(reporter, observed)
            || _observed.Contains(observed) || TransportAddresses.Contains(observed))
        {
            return;
        }
        // Keep the few most recent reflections; issue D infers the NAT's behaviour from this history.
        _observed.Insert(0, observed);
        if (_observed.Count > 4)
        {
            _observed.RemoveAt(_observed.Count - 1);
        }
        var merged = new List<TransportAddress>(_observed);
        merged.AddRange(TransportAddresses.Where(a => !merged.Contains(a)));
        TransportAddresses = merged;
    }

    /// <summary>Closes an edge after a short grace, so a goodbye queued on it is sent first.</summary>
    private void CloseSoon(PeerEdge edge, string reason) =>
        edge.CloseLater(Loop.Time.GetTimestamp() + ToTicks(TimeSpan.FromSeconds(1)), reason);

    private void SetTable(ConnectionTable table, bool linksChanged = true)
    {
        Volatile.Write(ref _table, table);
        if (linksChanged)
        {
            ConnectionsChanged?.Invoke(this);
        }
    }

    private void AddConnection(Address peer, PeerEdge edge, ConnectionType local, ConnectionType remote)
    {
        edge.IsLinked = true;
        ConnectionTable table = Connections;
        Connection? old = table.Get(peer);
        if (old is not null && !ReferenceEquals(old.Edge, edge))
        {
            local |= old.LocalTypes;
            remote |= old.RemoteTypes;
            var oldEdge = (PeerEdge)old.Edge;
            oldEdge.IsLinked = false;
            Rpc.Notify(Messaging.Rpc.RpcTarget.Direct(oldEdge, peer), Methods.Close, CloseBody("duplicate edge replaced"));
            CloseSoon(oldEdge, "duplicate edge replaced");
        }
        else if (old is not null)
        {
            local |= old.LocalTypes;
            remote |= old.RemoteTypes;
        }
        if ((local | remote).HasFlag(ConnectionType.OnDemand))
        {
            edge.TouchData(Loop.Time.GetTimestamp());
        }
        bool sameEdge = old is not null && ReferenceEquals(old.Edge, edge);
        SetTable(table.With(new Connection(peer, edge, local, remote) { PeerLinks = sameEdge ? old!.PeerLinks : null }));
        if (!sameEdge)
        {
            LinkSetChanged();
        }
        if (old is null)
        {
            Interlocked.Increment(ref Counters._linksUp);
            NodeLog.LinkUp(_logger, peer.ToString(), ConnectionTypeNames.ToText(local | remote), edge.ToString());
        }
        _failedPeers.Remove(peer);
        UpdateNearTypes();
    }

    private void RemoveConnection(Address peer, string reason)
    {
        if (Connections.Get(peer) is not { } connection)
        {
            return;
        }
        ((PeerEdge)connection.Edge).IsLinked = false;
        SetTable(Connections.Without(peer));
        LinkSetChanged();
        _tunnel.CloseVia(peer);
        Interlocked.Increment(ref Counters._linksDown);
        NodeLog.LinkDown(_logger, peer.ToString(), reason);
        StabilizeSoon();
        UpdateNearTypes();
    }

    /// <summary>
    /// Of two edges to the same peer, the one both sides keep: the one opened by the smaller address; between two
    /// opened by the same node, the older (a working link is not swapped for a new one). Both ends compute the same
    /// answer.
    /// </summary>
    private bool PreferNewEdge(PeerEdge newer, PeerEdge older)
    {
        if (older.Secure.IsClosed || !older.Secure.IsEstablished)
        {
            return true;
        }
        // A direct edge always beats a relay edge: relays are the last resort, and replaced when a direct edge forms.
        if ((older.Kind == TransportKind.Tunnel) != (newer.Kind == TransportKind.Tunnel))
        {
            return older.Kind == TransportKind.Tunnel;
        }
        Address peer = newer.Peer!.Value;
        Address newOpener = newer.Secure.IsInitiator ? Address : peer;
        Address oldOpener = older.Secure.IsInitiator ? Address : peer;
        return newOpener < oldOpener;
    }
}
