using System.Buffers;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>The maintenance tick: liveness, retransmits, and the leaf, near and shortcut link policies.</summary>
public sealed partial class OverlayNode
{
    /// <summary>How often <see cref="PruneAddressCaches"/> runs; an introducer is kept one to two of these.</summary>
    private static readonly TimeSpan s_addressCachePruneInterval = TimeSpan.FromSeconds(60);

    private long _firstLinkAt;
    private long _nextPrune;

    private void Tick()
    {
        if (_state != 1)
        {
            return;
        }
        long now = Loop.Time.GetTimestamp();
        // A pooled snapshot (closing an edge changes the set): the tick runs twice a second on every node, and
        // the simulator runs 100,000 nodes, so it allocates nothing.
        int edgeCount = _edges.Count;
        PeerEdge[] edges = ArrayPool<PeerEdge>.Shared.Rent(edgeCount);
        _edges.CopyTo(edges);
        for (int i = 0; i < edgeCount; i++)
        {
            PeerEdge edge = edges[i];
            if (edge.CloseAt is { } closeAt)
            {
                if (now >= closeAt)
                {
                    edge.Close(edge.PendingCloseReason ?? "closed");
                }
                continue;
            }
            edge.Secure.OnTick();
            CheckLiveness(edge, now);
        }
        ArrayPool<PeerEdge>.Shared.Return(edges, clearArray: true);
        Rpc.Tick();
        int attemptCount = _attempts.Count;
        if (attemptCount > 0)
        {
            LinkAttempt[] attempts = ArrayPool<LinkAttempt>.Shared.Rent(attemptCount);
            _attempts.Values.CopyTo(attempts, 0);
            for (int i = 0; i < attemptCount; i++)
            {
                LinkAttempt attempt = attempts[i];
                if (attempt.Current is { } current && !current.Secure.IsEstablished
                    && Loop.Time.GetElapsedTime(attempt.CurrentStarted) > Options.LinkAttemptTimeout)
                {
                    NextAddress(attempt, "timed out");
                }
            }
            ArrayPool<LinkAttempt>.Shared.Return(attempts, clearArray: true);
        }
        MaintainLeaves(now);
        TrimIdleOnDemand();
        TrimBirthdayListeners();
        if (now >= _nextStabilize)
        {
            Stabilize();
        }
        if (now >= _nextShortcut)
        {
            _nextShortcut = now + ToTicks(Options.ShortcutInterval);
            MaintainShortcuts();
            UpgradeRelays();
        }
        if (_linkSetVersion != _linkSetSent && now >= _nextLinkList)
        {
            SendLinkList(now);
        }
        if (now >= _nextPrune)
        {
            _nextPrune = now + ToTicks(s_addressCachePruneInterval);
            PruneAddressCaches(now);
        }
    }

    /// <summary>
    /// Forgets what the node heard about peers it no longer needs: transport addresses of nodes that are neither linked
    /// nor being linked, introducers not heard again since the last prune, failures past their cooldown, and spare
    /// capacity of the RPC answer cache. Without it a node remembered every node it ever heard of; in the simulator
    /// that was a third of the heap.
    /// </summary>
    private void PruneAddressCaches(long now)
    {
        ConnectionTable table = Connections;
        List<Address>? stale = null;
        foreach (Address peer in _peerAddresses.Keys)
        {
            if (!table.Contains(peer) && !_attempts.ContainsKey(peer.ToString()))
            {
                (stale ??= []).Add(peer);
            }
        }
        foreach (Address peer in stale ?? [])
        {
            _peerAddresses.Remove(peer);
        }
        stale?.Clear();
        foreach ((Address peer, long failedAt) in _failedPeers)
        {
            if (Loop.Time.GetElapsedTime(failedAt, now) >= Options.FailedPeerCooldown)
            {
                (stale ??= []).Add(peer);
            }
        }
        foreach (Address peer in stale ?? [])
        {
            _failedPeers.Remove(peer);
        }
        (_introducers, _introducersBefore) = (_introducersBefore, _introducers);
        _introducers.Clear();
        TrimWhenSparse(_peerAddresses);
        TrimWhenSparse(_failedPeers);
        TrimWhenSparse(_introducers);
        Rpc.TrimCaches();
    }

    /// <summary>Test hook, on the loop: the nodes whose transport addresses or introducers this node remembers.</summary>
    internal IEnumerable<Address> RememberedPeers => _peerAddresses.Keys.Concat(_introducers.Keys).Concat(_introducersBefore.Keys);

    /// <summary>Diagnostic hooks for the simulator, on the loop: is a link attempt to the peer running, is it cooling
    /// down after a failure, are its transport addresses known.</summary>
    internal bool IsLinkingTo(Address peer) => _attempts.ContainsKey(peer.ToString());

    internal bool HasFailed(Address peer) => _failedPeers.ContainsKey(peer);

    internal bool KnowsAddresses(Address peer) => _peerAddresses.ContainsKey(peer);

    // A dictionary keeps the capacity of its busiest moment (a joining node hears of hundreds of nodes).
    private static void TrimWhenSparse<TKey, TValue>(Dictionary<TKey, TValue> map)
        where TKey : notnull
    {
        if (map.Capacity > 16 && map.Count < map.Capacity / 4)
        {
            map.TrimExcess();
        }
    }

    private void CheckLiveness(PeerEdge edge, long now)
    {
        TimeSpan idle = Loop.Time.GetElapsedTime(edge.LastHeard);
        if (!edge.IsLinked)
        {
            if (edge.Secure.IsEstablished && edge.Attempt is null && Loop.Time.GetElapsedTime(edge.Created) > Options.UnlinkedEdgeTimeout)
            {
                edge.Close("never became a link");
            }
            return;
        }
        if (idle < Options.PingAfterIdle || edge.PingOutstanding || edge.Peer is not { } peer)
        {
            return;
        }
        edge.PingOutstanding = true;
        Rpc.Call(RpcTarget.Direct(edge, peer), Methods.Ping, [], result =>
        {
            edge.PingOutstanding = false;
            if (!result.IsOk && result.Error is RpcError.Timeout or RpcError.Unreachable)
            {
                edge.Close("ping timed out");
            }
        }, Options.PingResends);
    }

    /// <summary>
    /// Leaf links: while the node is not in the ring (no near link on a side), dial bootstrap addresses with
    /// back-off; once it is, the leaf reason is dropped so the bootstrap node keeps only the links it needs.
    /// </summary>
    private void MaintainLeaves(long now)
    {
        bool inRing = HasNearOnBothSides();
        if (inRing)
        {
            foreach (Connection c in Connections.Clockwise)
            {
                if (c.LocalTypes.HasFlag(ConnectionType.Leaf) && _stabilizeRound > 2)
                {
                    SetLocalTypes(c, c.LocalTypes & ~ConnectionType.Leaf);
                }
            }
            return;
        }
        // One leaf attempt at a time: several RemoteTAs often name the same node (its UDP and TCP addresses). And one
        // link is usually enough to find our place: more leaves only when it has not brought us into the ring soon.
        if (Connections.Count == 0)
        {
            _firstLinkAt = 0;
        }
        else if (_firstLinkAt == 0)
        {
            _firstLinkAt = now;
        }
        if (_attempts.Values.Any(a => a.Target is null)
            || (_firstLinkAt != 0 && Loop.Time.GetElapsedTime(_firstLinkAt) < 3 * Options.StabilizeIntervalWhileJoining))
        {
            return;
        }
        int leaves = Connections.Clockwise.Count(c => c.LocalTypes.HasFlag(ConnectionType.Leaf));
        foreach (TransportAddress remote in RemoteAddresses)
        {
            if (leaves >= Options.LeafTarget)
            {
                break;
            }
            string key = remote.ToString();
            if (IsOwnAddress(remote) || _attempts.ContainsKey(key)
                || (_leafOwners.TryGetValue(key, out Address owner) && Connections.Contains(owner)))
            {
                continue;
            }
            (long nextTry, TimeSpan backoff) = _leafBackoff.GetValueOrDefault(key, (0, TimeSpan.Zero));
            if (now < nextTry)
            {
                continue;
            }
            // Back off per address, 10 s doubling to 60 s (Brunet); with jitter so restarted crowds spread out.
            TimeSpan next = backoff == TimeSpan.Zero ? Options.LeafRetryMin : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Options.LeafRetryMax.Ticks));
            _leafBackoff[key] = (now + ToTicks(next * (0.75 + (0.5 * _random.NextDouble()))), next);
            Link(null, [remote], ConnectionType.Leaf);
            return;
        }
    }

    private bool HasNearOnBothSides()
    {
        ConnectionTable table = Connections;
        return table.Count >= 2 && table.Right(0) is not null && table.Left(0) is not null;
    }

    /// <summary>
    /// Ring repair (Chord-like stabilization): ask the nearest neighbours on each side for theirs and link to any
    /// that belong nearer. While joining, also route a request to the node nearest our own address.
    /// </summary>
    private void Stabilize()
    {
        _stabilizeRound++;
        bool joining = !HasNearOnBothSides() || Connections.Count < 2 * Options.NearPerSide;
        TimeSpan interval = joining ? Options.StabilizeIntervalWhileJoining : Options.StabilizeInterval;
        _nextStabilize = Loop.Time.GetTimestamp() + ToTicks(interval * (0.8 + (0.4 * _random.NextDouble())));
        ConnectionTable table = Connections;
        if (table.Count == 0)
        {
            return;
        }
        if (joining)
        {
            AskNeighbors(RpcTarget.Routed(Address, RoutingMode.Annealing));
        }
        else if (_stabilizeRound % 4 == 0)
        {
            // Through a random link, mostly a far one: after a mass join two interleaved ring segments can each look
            // consistent from inside, and greedy routing from our near links never leaves ours (3,000 simulated
            // nodes joining at 200/s: 0.990 consistent 30 s after the last join).
            Connection via = table.Clockwise[_random.Next(table.Count)];
            AskNeighbors(RpcTarget.Routed(Address, RoutingMode.Annealing) with { FirstHop = via.Edge });
        }
        // Each near neighbour once (a small ring has the same node on both sides), without a set or arrays: a joining
        // node stabilizes every second.
        int near = Math.Min(Options.NearPerSide, table.Count);
        Span<Address> asked = near <= 16 ? stackalloc Address[2 * near] : new Address[2 * near];
        int count = 0;
        for (int i = 0; i < near; i++)
        {
            AskNeighborsOnce(table.Right(i), asked, ref count);
            AskNeighborsOnce(table.Left(i), asked, ref count);
        }
        ReportJoined();
    }

    private void AskNeighborsOnce(Connection? c, Span<Address> asked, ref int count)
    {
        if (c is not null && !asked[..count].Contains(c.Peer))
        {
            asked[count++] = c.Peer;
            AskNeighbors(RpcTarget.Direct(c.Edge, c.Peer));
        }
    }

    private void StabilizeSoon()
    {
        long soon = Loop.Time.GetTimestamp() + ToTicks(Options.TickInterval);
        if (_nextStabilize > soon)
        {
            _nextStabilize = soon;
        }
    }

    /// <summary>Marks the nearest links as near and drops the near reason from links pushed far away.</summary>
    private void UpdateNearTypes()
    {
        ConnectionTable table = Connections;
        int count = table.Count;
        bool changed = false;
        for (int index = 0; index < count; index++)
        {
            Connection c = table.Clockwise[index];
            int rank = Math.Min(index, count - 1 - index);
            bool isNear = c.LocalTypes.HasFlag(ConnectionType.Near);
            if (rank < Options.NearPerSide && !isNear)
            {
                SetLocalTypes(c, c.LocalTypes | ConnectionType.Near);
                changed = true;
            }
            else if (rank >= Options.NearTrimRank && isNear)
            {
                SetLocalTypes(c, c.LocalTypes & ~ConnectionType.Near);
                changed = true;
            }
        }
        if (changed)
        {
            StabilizeSoon();
        }
        ReportJoined();
    }

    private void ReportJoined()
    {
        bool joined = HasNearOnBothSides();
        if (joined && !IsJoined)
        {
            IsJoined = true;
            if (!_joinedReported)
            {
                _joinedReported = true;
                NodeLog.NodeJoined(_logger, Address.ToString(), Connections.Left(0)!.Peer.ToShortString(), Connections.Right(0)!.Peer.ToShortString());
                Joined?.Invoke(this);
            }
        }
        else if (!joined)
        {
            IsJoined = false;
        }
    }

    /// <summary>The ring size as seen from the spacing of our near neighbours.</summary>
    public double EstimateNetworkSize()
    {
        ConnectionTable table = Connections;
        int k = Math.Min(Options.NearPerSide, table.Count / 2);
        var right = new List<Address>();
        var left = new List<Address>();
        for (int i = 0; i < k; i++)
        {
            right.Add(table.Right(i)!.Peer);
            left.Add(table.Left(i)!.Peer);
        }
        return RingMath.EstimateNetworkSize(Address, right, left);
    }

    /// <summary>Keeps ceil(0.5 log2 N) shortcuts: asks the node nearest a harmonic-distributed target to link.</summary>
    private void MaintainShortcuts()
    {
        if (!IsJoined)
        {
            return;
        }
        double size = EstimateNetworkSize();
        int wanted = RingMath.DesiredShortcuts(size, Options.ShortcutMinNetworkSize);
        int have = Connections.Clockwise.Count(c => c.LocalTypes.HasFlag(ConnectionType.Shortcut))
            + _attempts.Values.Count(a => a.Types.HasFlag(ConnectionType.Shortcut));
        if (have >= wanted)
        {
            if (have > wanted + 1)
            {
                Connection? surplus = Connections.Clockwise.FirstOrDefault(c => c.LocalTypes == ConnectionType.Shortcut);
                if (surplus is not null)
                {
                    SetLocalTypes(surplus, ConnectionType.None);
                }
            }
            return;
        }
        Address target = RingMath.ShortcutTarget(Address, size, _random);
        var body = new ArrayBufferWriter<byte>(128);
        var writer = new WireWriter(body);
        writer.WriteByte((byte)ConnectionType.Shortcut);
        SelfInfo.WriteTo(writer);
        Rpc.Call(RpcTarget.Routed(target, RoutingMode.Annealing), Methods.ConnectTo, body.WrittenSpan, result =>
        {
            if (!result.IsOk || _state != 1)
            {
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
            if (info.Address != result.From || info.Address == Address)
            {
                return;
            }
            RememberAddresses(info);
            Link(info.Address, info.TransportAddresses, ConnectionType.Shortcut);
        }, maxResends: 1);
    }

    /// <summary>On a clean leave: tell each linked peer, naming our neighbours so the ring closes at once.</summary>
    private void SayGoodbye()
    {
        byte[] body = CloseBody("node leaving", withNeighbors: true);
        foreach (Connection c in Connections.Clockwise)
        {
            Rpc.Notify(RpcTarget.Direct(c.Edge, c.Peer), Methods.Close, body);
        }
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Loop.Time.TimestampFrequency);
}
