using System.Buffers;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>The linking handshake over RPC, and the messages that carry neighbour lists.</summary>
public sealed partial class OverlayNode
{
    /// <summary>Transport addresses peers told us, for passing on in neighbour lists.</summary>
    private readonly Dictionary<Address, IReadOnlyList<TransportAddress>> _peerAddresses = [];

    /// <summary>Which node answered at each bootstrap address, so a second address of a linked node is not dialed.</summary>
    private readonly Dictionary<string, Address> _leafOwners = new(StringComparer.Ordinal);

    /// <summary>Neighbours reported in a neighbour list: at most this many per side.</summary>
    private const int NeighborsPerSide = 4;

    private PeerInfo SelfInfo => new(Address, TransportAddresses);

    /// <summary>
    /// Links to <paramref name="target"/> (null: whoever answers at the addresses, a leaf) as <paramref name="type"/>.
    /// On the loop.
    /// </summary>
    internal void Link(Address? target, IReadOnlyList<TransportAddress> addresses, ConnectionType type)
    {
        if (_state != 1 || target == Address)
        {
            return;
        }
        if (target is { } peer)
        {
            if (Connections.Get(peer) is { } existing)
            {
                if ((existing.LocalTypes & type) != type)
                {
                    SetLocalTypes(existing, existing.LocalTypes | type);
                }
                return;
            }
            if (_failedPeers.TryGetValue(peer, out long failedAt) && Loop.Time.GetElapsedTime(failedAt) < Options.FailedPeerCooldown)
            {
                return;
            }
        }
        var usable = addresses.Where(a => (a.Kind == TransportKind.Tunnel || _listeners.Any(l => l.Kind == a.Kind)) && !IsOwnAddress(a)).Distinct().ToList();
        if (usable.Count == 0)
        {
            return;
        }
        var attempt = new LinkAttempt(target, usable, type, Loop.Time.GetTimestamp());
        if (_attempts.TryGetValue(attempt.Key, out LinkAttempt? running))
        {
            running.Types |= type;
            return;
        }
        if (Connections.Count >= Options.MaxConnections)
        {
            return;
        }
        _attempts[attempt.Key] = attempt;
        NextAddress(attempt, null);
    }

    /// <summary>Moves an attempt to its next transport address, or ends it.</summary>
    private void NextAddress(LinkAttempt attempt, string? reason)
    {
        if (attempt.Done)
        {
            return;
        }
        if (attempt.Current is { } current && !current.IsLinked && ReferenceEquals(current.Attempt, attempt))
        {
            current.Attempt = null;
            if (!current.Secure.IsEstablished)
            {
                current.Close(reason ?? "link attempt moved on");
            }
        }
        attempt.Current = null;
        if (reason == "timed out" && attempt.Target is { } target && !attempt.IsRelay && !attempt.IsBirthday)
        {
            MaybeBirthday(target, attempt.Types);   // a symmetric NAT on one side only: race for a port pair
        }
        if (attempt.NextIndex >= attempt.Addresses.Count || _state != 1)
        {
            FinishAttempt(attempt, success: false, reason ?? "no address left");
            return;
        }
        TransportAddress next = attempt.Addresses[attempt.NextIndex++];
        attempt.CurrentStarted = Loop.Time.GetTimestamp();
        Dial(attempt, next);
    }

    private void FinishAttempt(LinkAttempt attempt, bool success, string reason)
    {
        attempt.Done = true;
        _attempts.Remove(attempt.Key);
        if (!success)
        {
            NodeLog.LinkFailed(_logger, attempt.Key, reason);
            if (attempt.Target is { } target)
            {
                if (!attempt.IsRelay && !attempt.IsUpgrade && (attempt.Types & (ConnectionType.Near | ConnectionType.OnDemand | ConnectionType.Shortcut)) != 0)
                {
                    TryRelay(target, attempt.Types);   // no direct edge: a relay through a common neighbour
                    return;
                }
                _failedPeers[target] = Loop.Time.GetTimestamp();
            }
        }
    }

    /// <summary>The handshake is done: ask the peer to make it a link.</summary>
    private void RequestLink(LinkAttempt attempt, PeerEdge edge)
    {
        Address peer = edge.Peer!.Value;
        if (attempt.Types == ConnectionType.None)
        {
            // A punch: the edge is open; the peer that wanted the link asks for it over this edge.
            attempt.Current = null;
            edge.Attempt = null;
            FinishAttempt(attempt, success: true, "punched");
            return;
        }
        var body = new ArrayBufferWriter<byte>(128);
        var writer = new WireWriter(body);
        writer.WriteByte((byte)attempt.Types);
        SelfInfo.WriteTo(writer);
        Rpc.Call(RpcTarget.Direct(edge, peer), Methods.Link, body.WrittenSpan, result =>
        {
            if (attempt.Done)
            {
                return;
            }
            if (!result.IsOk)
            {
                if (result.Error == RpcError.Refused && Connections.Get(peer) is { } kept && !ReferenceEquals(kept.Edge, edge))
                {
                    // The peer keeps the link it already has with us: add our reasons to it.
                    SetLocalTypes(kept, kept.LocalTypes | attempt.Types);
                    if (attempt.Target is null)
                    {
                        _leafOwners[attempt.Addresses[0].ToString()] = peer;
                    }
                    FinishAttempt(attempt, success: true, "merged into the existing link");
                    edge.Close("duplicate edge");
                    return;
                }
                edge.Close($"link refused: {result.Message}");
                return;   // EdgeClosed moves the attempt on
            }
            var reader = new WireReader(result.Body);
            ConnectionType remoteTypes;
            PeerInfo info;
            try
            {
                remoteTypes = (ConnectionType)reader.ReadByte();
                info = PeerInfo.Read(ref reader);
            }
            catch (WireFormatException e)
            {
                edge.Close($"malformed link reply: {e.Message}");
                return;
            }
            RememberAddresses(info);
            if (Connections.Get(peer) is { } existing && !ReferenceEquals(existing.Edge, edge)
                && !PreferNewEdge(edge, (PeerEdge)existing.Edge))
            {
                SetLocalTypes(existing, existing.LocalTypes | attempt.Types);
                FinishAttempt(attempt, success: true, "merged into the existing link");
                edge.Close("duplicate edge");
                return;
            }
            FinishAttempt(attempt, success: true, "linked");
            if (attempt.Target is null)
            {
                _leafOwners[attempt.Addresses[0].ToString()] = peer;
            }
            AddConnection(peer, edge, attempt.Types, remoteTypes);
        }, maxResends: 2);
    }

    private void ServeLink(RpcCall call, ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        var types = (ConnectionType)reader.ReadByte();
        PeerInfo info = PeerInfo.Read(ref reader);
        if (call.Edge is not PeerEdge edge || info.Address != call.From)
        {
            call.Fail(RpcError.BadRequest, "a link request must come over an edge from the node it names");
            return;
        }
        RememberAddresses(info);
        Connection? existing = Connections.Get(call.From);
        if (existing is null && Connections.Count >= Options.MaxConnections)
        {
            call.Fail(RpcError.Refused, "too many links");
            return;
        }
        if (existing is not null && !ReferenceEquals(existing.Edge, edge) && !PreferNewEdge(edge, (PeerEdge)existing.Edge))
        {
            SetTable(Connections.With(existing with { RemoteTypes = existing.RemoteTypes | types }));
            call.Fail(RpcError.Refused, "duplicate: keeping the existing link");
            return;
        }
        ConnectionType local = existing?.LocalTypes ?? ConnectionType.None;
        call.Reply(w =>
        {
            w.WriteByte((byte)local);
            SelfInfo.WriteTo(w);
        });
        AddConnection(call.From, edge, local, types);
    }

    /// <summary>Changes why we keep a link, tells the peer, and closes the link if neither side wants it any more.</summary>
    private void SetLocalTypes(Connection connection, ConnectionType local)
    {
        if (connection.LocalTypes == local)
        {
            return;
        }
        var updated = connection with { LocalTypes = local };
        if (updated.Types == ConnectionType.None)
        {
            CloseLink(connection, "no longer needed");
            return;
        }
        SetTable(Connections.With(updated));
        Rpc.Notify(RpcTarget.Direct(connection.Edge, connection.Peer), Methods.LinkUpdate, [(byte)local]);
    }

    private void ServeLinkUpdate(RpcCall call, ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        var types = (ConnectionType)reader.ReadByte();
        if (Connections.Get(call.From) is { } connection && ReferenceEquals(connection.Edge, call.Edge))
        {
            var updated = connection with { RemoteTypes = types };
            if (updated.Types == ConnectionType.None)
            {
                CloseLink(connection, "no longer needed by either side");
                return;
            }
            SetTable(Connections.With(updated));
        }
    }

    private void CloseLink(Connection connection, string reason)
    {
        var edge = (PeerEdge)connection.Edge;
        Rpc.Notify(RpcTarget.Direct(edge, connection.Peer), Methods.Close, CloseBody(reason));
        RemoveConnection(connection.Peer, reason);
        CloseSoon(edge, reason);
    }

    private byte[] CloseBody(string reason, bool withNeighbors = false)
    {
        var body = new ArrayBufferWriter<byte>(256);
        var writer = new WireWriter(body);
        writer.WriteString8(reason.Length > 100 ? reason[..100] : reason);
        PeerInfo.WriteList(writer, withNeighbors ? NeighborInfos() : []);
        return body.WrittenSpan.ToArray();
    }

    private void ServeClose(RpcCall call, ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        string reason = reader.ReadString8(255, "close reason");
        List<PeerInfo> neighbors = PeerInfo.ReadList(ref reader, 4 * NeighborsPerSide);
        if (call.Edge is PeerEdge edge)
        {
            if (Connections.Get(call.From) is { } connection && ReferenceEquals(connection.Edge, edge))
            {
                RemoveConnection(call.From, $"peer closed: {reason}");
            }
            edge.Close($"peer closed: {reason}");
        }
        // A leaving node names its neighbours: link to any that are now among our nearest.
        ConsiderCandidates(neighbors.Where(n => n.Address != call.From).ToList());
    }

    /// <summary><see cref="KnownAddresses"/> as one delegate for the node's life, for reading neighbour lists.</summary>
    private Func<Address, IReadOnlyList<TransportAddress>?>? _knownAddresses;

    private IReadOnlyList<TransportAddress>? KnownAddresses(Address peer) => _peerAddresses.GetValueOrDefault(peer);

    private void RememberAddresses(PeerInfo info)
    {
        if (info.TransportAddresses.Count > 0 && info.Address != Address
            && !(_peerAddresses.TryGetValue(info.Address, out IReadOnlyList<TransportAddress>? known) && known.SequenceEqual(info.TransportAddresses)))
        {
            // Only a change replaces the list: a node hears the same addresses every stabilization round, and storing
            // each fresh copy turned short-lived garbage into long-lived heap.
            _peerAddresses[info.Address] = info.TransportAddresses;
        }
    }

    /// <summary>This node and its nearest neighbours on each side, with the addresses they told us.</summary>
    private List<PeerInfo> NeighborInfos()
    {
        ConnectionTable table = Connections;
        var result = new List<PeerInfo>(2 * NeighborsPerSide);
        for (int i = 0; i < NeighborsPerSide; i++)
        {
            AddNeighborInfo(result, table.Right(i));
            AddNeighborInfo(result, table.Left(i));
        }
        return result;
    }

    /// <summary>Adds <paramref name="c"/>'s peer unless it is there already (a small ring has the same node on both sides).</summary>
    private void AddNeighborInfo(List<PeerInfo> infos, Connection? c)
    {
        if (c is null)
        {
            return;
        }
        foreach (PeerInfo info in infos)
        {
            if (info.Address == c.Peer)
            {
                return;
            }
        }
        infos.Add(new PeerInfo(c.Peer, _peerAddresses.GetValueOrDefault(c.Peer) ?? []));
    }

    private void ServeNeighbors(RpcCall call, ReadOnlySpan<byte> body)
    {
        // Written straight into a reused buffer (no list, records or closure): every linked neighbour asks a few times
        // a minute, a joining one every second.
        ConnectionTable table = Connections;
        Span<Address> listed = stackalloc Address[2 * NeighborsPerSide];
        int count = 0;
        for (int i = 0; i < NeighborsPerSide; i++)
        {
            AddNeighbor(listed, ref count, table.Right(i));
            AddNeighbor(listed, ref count, table.Left(i));
        }
        ArrayBufferWriter<byte> answer = ScratchWriters.Take();
        var writer = new WireWriter(answer);
        PeerInfo.Write(writer, Address, TransportAddresses);
        writer.WriteCount(count);
        foreach (Address peer in listed[..count])
        {
            PeerInfo.Write(writer, peer, _peerAddresses.GetValueOrDefault(peer) ?? []);
        }
        call.Reply(answer.WrittenSpan);
        ScratchWriters.Return(answer);
        // A routed request names its sender's addresses: a node looking for its place. If it belongs among our
        // nearest, dial it now (the answer may not reach it: nobody near it is linked to it yet).
        if (!call.IsDirect && !body.IsEmpty)
        {
            var reader = new WireReader(body);
            PeerInfo requester = PeerInfo.Read(ref reader);
            if (requester.Address == call.From)
            {
                ConsiderCandidates([requester]);
            }
        }
    }

    /// <summary>Adds <paramref name="c"/>'s peer unless it is there already (a small ring has the same node on both sides).</summary>
    private static void AddNeighbor(Span<Address> listed, ref int count, Connection? c)
    {
        if (c is not null && !listed[..count].Contains(c.Peer))
        {
            listed[count++] = c.Peer;
        }
    }

    private void ServeConnectTo(RpcCall call, ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        _ = (ConnectionType)reader.ReadByte();
        PeerInfo requester = PeerInfo.Read(ref reader);
        if (requester.Address != call.From)
        {
            call.Fail(RpcError.BadRequest, "a connect-to request must name its sender");
            return;
        }
        RememberAddresses(requester);
        call.Reply(w => SelfInfo.WriteTo(w));
        // Dial back at once: with both sides sending, each NAT sees outgoing traffic to the other and lets its
        // answer in (the UDP hole punch). This side only punches; the requester asks for the link.
        if (Connections.Get(requester.Address) is not { } linked)
        {
            Link(requester.Address, requester.TransportAddresses.Where(a => a.Kind == TransportKind.Udp).ToList(), ConnectionType.None);
        }
        else if (linked.Edge.Kind == TransportKind.Tunnel)
        {
            TryDirect(requester.Address, requester.TransportAddresses, ConnectionType.None);   // punch for the upgrade
        }
    }

    /// <summary>
    /// Makes (or keeps) a direct link to <paramref name="peer"/> because traffic flows to it: asks it through the
    /// overlay for its addresses, then dials. Any thread. The link idles out after <see cref="NodeOptions.OnDemandIdle"/>
    /// without data.
    /// </summary>
    public void RequestDirectLink(Address peer) => Loop.Post(() =>
    {
        if (_state != 1 || peer == Address)
        {
            return;
        }
        if (Connections.Get(peer) is { } existing)
        {
            ((PeerEdge)existing.Edge).TouchData(Loop.Time.GetTimestamp());
            if (!existing.LocalTypes.HasFlag(ConnectionType.OnDemand))
            {
                SetLocalTypes(existing, existing.LocalTypes | ConnectionType.OnDemand);
            }
            if (existing.Edge.Kind != TransportKind.Tunnel || _relayUpgradeTried.TryGetValue(peer, out long tried)
                && Loop.Time.GetElapsedTime(tried) < Options.RelayUpgradeInterval)
            {
                return;
            }
            _relayUpgradeTried[peer] = Loop.Time.GetTimestamp();   // over a relay: ask again, so both sides punch
        }
        if (_attempts.ContainsKey(peer.ToString()) || !_onDemandAsked.Add(peer))
        {
            return;
        }
        var body = new ArrayBufferWriter<byte>(128);
        var writer = new WireWriter(body);
        writer.WriteByte((byte)ConnectionType.OnDemand);
        SelfInfo.WriteTo(writer);
        Rpc.Call(RpcTarget.Routed(peer, RoutingMode.Exact), Methods.ConnectTo, body.WrittenSpan, result =>
        {
            _onDemandAsked.Remove(peer);
            if (!result.IsOk || _state != 1)
            {
                if (_state == 1 && result.Error is RpcError.Unreachable or RpcError.Timeout)
                {
                    TryRelay(peer, ConnectionType.OnDemand);   // no route to the peer: through the nodes that know it, at once
                }
                return;
            }
            var reader = new WireReader(result.Body);
            PeerInfo info;
            try
            {
                info = PeerInfo.Read(ref reader);
            }
            catch (WireFormatException)
            {
                return;
            }
            if (info.Address == peer)
            {
                RememberAddresses(info);
                _failedPeers.Remove(peer);
                if (Connections.Get(peer) is { } relayed && relayed.Edge.Kind == TransportKind.Tunnel)
                {
                    TryDirect(peer, info.TransportAddresses, relayed.LocalTypes);
                }
                else
                {
                    Link(peer, info.TransportAddresses, ConnectionType.OnDemand);
                }
            }
        }, maxResends: 2);
    });

    /// <summary>Peers asked for their addresses for an on-demand link, answer pending.</summary>
    private readonly HashSet<Address> _onDemandAsked = [];

    /// <summary>Drops the on-demand reason from links that carried no data for a while.</summary>
    private void TrimIdleOnDemand()
    {
        foreach (Connection c in Connections.Clockwise)
        {
            if (c.LocalTypes.HasFlag(ConnectionType.OnDemand)
                && Loop.Time.GetElapsedTime(((PeerEdge)c.Edge).LastData) > Options.OnDemandIdle)
            {
                SetLocalTypes(c, c.LocalTypes & ~ConnectionType.OnDemand);
            }
        }
    }

    /// <summary>
    /// Asks <paramref name="target"/> for its neighbour list and links to any that belong near us. Routed to our own
    /// address, the request carries our addresses, so the node nearest us dials us (as Brunet's connect-to does): its
    /// answer alone may not find its way back, since no node near our address knows us yet.
    /// </summary>
    private void AskNeighbors(RpcTarget target)
    {
        byte[] body = [];
        if (!target.IsDirect)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            SelfInfo.WriteTo(new WireWriter(buffer));
            body = buffer.WrittenSpan.ToArray();
        }
        Rpc.Call(target, Methods.Neighbors, body, result =>
        {
            if (result.Error == RpcError.Timeout && target.Edge is PeerEdge silent && _state == 1)
            {
                // A near neighbour that does not answer its stabilization call is gone: repair the ring now rather
                // than after the idle ping (this is what keeps consistency high under churn).
                silent.Close("neighbour stopped answering");
                return;
            }
            if (!result.IsOk || _state != 1)
            {
                return;
            }
            var reader = new WireReader(result.Body);
            List<PeerInfo> candidates;
            Address introducer;
            try
            {
                PeerInfo responder = PeerInfo.Read(ref reader, _knownAddresses ??= KnownAddresses);
                candidates = PeerInfo.ReadList(ref reader, 4 * NeighborsPerSide, _knownAddresses);
                candidates.Add(responder);
                introducer = responder.Address;
            }
            catch (WireFormatException)
            {
                return;
            }
            ConsiderCandidates(candidates, introducer);
        }, maxResends: 1, backOff: !target.IsDirect);
    }

    /// <summary>
    /// For each node we set out to link to as a near neighbour, the nodes that named it as their neighbour (so are
    /// linked to it): the forwarders to try first when we need a relay edge to it. Two generations, swapped by
    /// <see cref="PruneAddressCaches"/>: a node not named again for one to two prune intervals is forgotten (and a few
    /// thousand are kept at most).
    /// </summary>
    private Dictionary<Address, List<Address>> _introducers = [];
    private Dictionary<Address, List<Address>> _introducersBefore = [];

    private void NoteIntroducer(Address node, Address introducer)
    {
        if (node == Address || node == introducer)
        {
            return;
        }
        if (!_introducers.TryGetValue(node, out List<Address>? list))
        {
            if (_introducers.Count >= 4096)
            {
                _introducers.Clear();
            }
            if (!_introducersBefore.Remove(node, out list))
            {
                list = [];
            }
            _introducers[node] = list;
        }
        list.Remove(introducer);
        list.Insert(0, introducer);
        if (list.Count > 4)
        {
            list.RemoveAt(list.Count - 1);
        }
    }

    private List<Address>? IntroducersOf(Address node) =>
        _introducers.GetValueOrDefault(node) ?? _introducersBefore.GetValueOrDefault(node);

    /// <summary>
    /// Links to each candidate that would be among our nearest <see cref="NodeOptions.NearPerSide"/> on a side.
    /// Only those are remembered (their addresses, and <paramref name="introducer"/>, the node that named them, as a
    /// forwarder for a relay edge): a node hears of hundreds of others while the ring around it shifts, and keeping
    /// them all was a third of the simulator's heap.
    /// </summary>
    private void ConsiderCandidates(List<PeerInfo> candidates, Address? introducer = null)
    {
        // RingMath.NearestBothSides over links and candidates, by its bounds: this runs on every stabilization answer.
        ConnectionTable table = Connections;
        Address[] known = ArrayPool<Address>.Shared.Rent(table.Count + candidates.Count);
        int count = 0;
        foreach (Connection c in table.Clockwise)
        {
            if (c.Peer != Address && c.Peer.IsNodeAddress)
            {
                known[count++] = c.Peer;
            }
        }
        foreach (PeerInfo c in candidates)
        {
            if (c.Address != Address && c.Address.IsNodeAddress)
            {
                known[count++] = c.Address;
            }
        }
        (Address right, Address left) = RingMath.NearestBounds(Address, known.AsSpan(0, count), Options.NearPerSide);
        ArrayPool<Address>.Shared.Return(known);
        foreach (PeerInfo candidate in candidates)
        {
            Address peer = candidate.Address;
            bool nearest = peer != Address && peer.IsNodeAddress
                && (Address.ClockwiseDistanceTo(peer) <= right || Address.CounterClockwiseDistanceTo(peer) <= left);
            if (nearest && !Connections.Contains(peer))
            {
                RememberAddresses(candidate);
                if (introducer is { } via)
                {
                    NoteIntroducer(peer, via);
                }
                Link(peer, candidate.TransportAddresses, ConnectionType.Near);
            }
        }
    }
}
