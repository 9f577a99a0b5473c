using System.Buffers;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Linking.Tunnel;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>
/// Relay edges: forwarding for others (with a bandwidth cap), making a relay edge when no direct edge forms, and
/// replacing it by a direct edge when one becomes possible.
/// </summary>
public sealed partial class OverlayNode : ITunnelCarrier
{
    private readonly Lock _relayGate = new();
    private readonly Dictionary<Address, long> _relayUpgradeTried = [];
    private double _relayTokens;
    private long _relayRefilledAt;
    private long _relayBytes;
    private long _relayDropped;

    /// <summary>Test hook: sees every tunnel payload this node forwards for others (header and datagram).</summary>
    internal Action<byte[]>? RelayObserver { get; set; }

    /// <summary>Bytes this node forwarded for others over relay edges.</summary>
    public long RelayedBytes => Interlocked.Read(ref _relayBytes);

    /// <summary>Relay datagrams dropped by the bandwidth cap or for want of a link to their target.</summary>
    public long RelayDropped => Interlocked.Read(ref _relayDropped);

    Address ITunnelCarrier.Self => Address;

    int ITunnelCarrier.MaxTunnelPayload => MaxDatagramSize - Security.SecureEdge.TransportOverhead - 2;

    bool ITunnelCarrier.HasDirectLink(Address peer) =>
        Connections.Get(peer) is { } c && c.Edge.Kind != TransportKind.Tunnel;

    bool ITunnelCarrier.SendTunnel(Address via, ReadOnlySpan<byte> payload)
    {
        if (Connections.Get(via) is not { } c || c.Edge.Kind == TransportKind.Tunnel || c.Edge is not PeerEdge edge)
        {
            return false;
        }
        edge.TouchData(Loop.Time.GetTimestamp());   // a link that carries a relay edge is in use
        return SendFrame(edge, FrameType.Direct, default, PayloadType.Tunnel, payload);
    }

    /// <summary>A tunnel payload over a direct edge (transport thread): forward it, or hand it to our relay edges.</summary>
    private void OnTunnelPayload(PeerEdge from, ReadOnlySpan<byte> payload)
    {
        if (!TunnelHeader.TryRead(payload, out TunnelHeader header) || from.Peer is not { } sender)
        {
            Interlocked.Increment(ref Counters._malformed);
            return;
        }
        ReadOnlySpan<byte> datagram = payload[TunnelHeader.Size..];
        from.TouchData(Loop.Time.GetTimestamp());
        if (header.Op == TunnelOp.Deliver)
        {
            if (header.Final == Address)
            {
                _tunnel.OnDelivered(sender, header, datagram);
            }
            return;
        }
        // Forward: only the origin itself may ask, and only to a node we are directly linked to.
        if (header.Origin != sender || header.Final == Address || header.Final == sender
            || Connections.Get(header.Final) is not { } next || next.Edge.Kind == TransportKind.Tunnel || !TakeRelayTokens(payload.Length))
        {
            Interlocked.Increment(ref _relayDropped);
            return;
        }
        byte[] copy = ArrayPool<byte>.Shared.Rent(payload.Length);
        try
        {
            payload.CopyTo(copy);
            copy[0] = (byte)TunnelOp.Deliver;
            RelayObserver?.Invoke(copy.AsSpan(0, payload.Length).ToArray());
            ((PeerEdge)next.Edge).TouchData(Loop.Time.GetTimestamp());
            if (SendFrame(next.Edge, FrameType.Direct, default, PayloadType.Tunnel, copy.AsSpan(0, payload.Length)))
            {
                Interlocked.Add(ref _relayBytes, payload.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Token bucket over all relayed traffic: <see cref="NodeOptions.RelayBytesPerSecond"/>, bursts of one second.</summary>
    private bool TakeRelayTokens(int bytes)
    {
        lock (_relayGate)
        {
            long now = Loop.Time.GetTimestamp();
            double rate = Options.RelayBytesPerSecond;
            _relayTokens = Math.Min(rate, _relayTokens + (rate * Loop.Time.GetElapsedTime(_relayRefilledAt, now).TotalSeconds));
            _relayRefilledAt = now;
            if (_relayTokens < bytes)
            {
                return false;
            }
            _relayTokens -= bytes;
            return true;
        }
    }

    /// <summary>
    /// No direct edge to <paramref name="target"/> could be made: ask it for its neighbours and build a relay edge
    /// through one we are linked to, or first link to one of them. On the loop.
    /// </summary>
    private void TryRelay(Address target, ConnectionType types, bool secondTry = false)
    {
        if (_state != 1 || Connections.Contains(target) || _attempts.ContainsKey(target.ToString()))
        {
            return;
        }
        // First the nodes that told us about the target: they are linked to it. This needs no route to the target,
        // which two ring neighbours that cannot link directly do not have.
        List<Address> introducers = IntroducersOf(target)?
            .Where(f => f != Address && Connections.Get(f) is { } c && c.Edge.Kind != TransportKind.Tunnel)
            .ToList() ?? [];
        if (introducers.Count > 0)
        {
            var viaIntroducers = new LinkAttempt(target, [TunnelAddress.Format(target, introducers)], types, Loop.Time.GetTimestamp());
            _attempts[viaIntroducers.Key] = viaIntroducers;
            NextAddress(viaIntroducers, null);
            return;
        }
        Rpc.Call(RpcTarget.Routed(target, RoutingMode.Exact), Methods.Neighbors, [], result =>
        {
            if (!result.IsOk || _state != 1 || result.From != target || Connections.Contains(target))
            {
                return;
            }
            List<PeerInfo> neighbours;
            try
            {
                var reader = new WireReader(result.Body);
                _ = PeerInfo.Read(ref reader);
                neighbours = PeerInfo.ReadList(ref reader, 16);
            }
            catch (WireFormatException)
            {
                return;
            }
            var forwarders = neighbours
                .Where(n => n.Address != target && n.Address != Address && Connections.Get(n.Address) is { } c && c.Edge.Kind != TransportKind.Tunnel)
                .Select(n => n.Address)
                .Take(TunnelAddress.MaxForwarders)
                .ToList();
            if (forwarders.Count > 0)
            {
                var attempt = new LinkAttempt(target, [TunnelAddress.Format(target, forwarders)], types, Loop.Time.GetTimestamp());
                _attempts[attempt.Key] = attempt;
                NextAddress(attempt, null);
                return;
            }
            if (!secondTry && neighbours.FirstOrDefault(n => n.Address != Address && n.TransportAddresses.Count > 0) is { } bridge)
            {
                // No common neighbour yet: link to one of the target's, then try again.
                Link(bridge.Address, bridge.TransportAddresses, ConnectionType.OnDemand);
                _ = Loop.Time.CreateTimer(_ => Loop.Post(() => TryRelay(target, types, secondTry: true)), null, Options.LinkAttemptTimeout, Timeout.InfiniteTimeSpan);
            }
        }, maxResends: 2);
    }

    /// <summary>
    /// Tries direct addresses of <paramref name="peer"/>, which we reach over a relay edge (or, with
    /// <see cref="ConnectionType.None"/>, only punches for the peer's own attempt); a direct edge, once up, replaces the relay.
    /// </summary>
    private void TryDirect(Address peer, IReadOnlyList<TransportAddress> addresses, ConnectionType types)
    {
        var direct = addresses.Where(a => a.Kind != TransportKind.Tunnel && !IsOwnAddress(a) && _listeners.Any(l => l.Kind == a.Kind)).ToList();
        if (direct.Count == 0 || _attempts.ContainsKey(peer.ToString()))
        {
            return;
        }
        var attempt = new LinkAttempt(peer, direct, types, Loop.Time.GetTimestamp()) { IsUpgrade = true };
        _attempts[attempt.Key] = attempt;
        NextAddress(attempt, null);
    }

    /// <summary>Retries direct addresses of peers we reach over relay edges; a direct edge, once up, replaces the relay.</summary>
    private void UpgradeRelays()
    {
        foreach (Connection c in Connections.Clockwise)
        {
            if (c.Edge.Kind != TransportKind.Tunnel || !_peerAddresses.TryGetValue(c.Peer, out IReadOnlyList<TransportAddress>? addresses))
            {
                continue;
            }
            if (_relayUpgradeTried.TryGetValue(c.Peer, out long at) && Loop.Time.GetElapsedTime(at) < Options.RelayUpgradeInterval)
            {
                continue;
            }
            _relayUpgradeTried[c.Peer] = Loop.Time.GetTimestamp();
            TryDirect(c.Peer, addresses, c.LocalTypes);
            // Ask the peer to dial us at the same time (over the relay link): through NATs only a simultaneous open works.
            var body = new ArrayBufferWriter<byte>(128);
            var writer = new WireWriter(body);
            writer.WriteByte((byte)ConnectionType.None);
            SelfInfo.WriteTo(writer);
            Rpc.Call(RpcTarget.Routed(c.Peer, RoutingMode.Exact), Methods.ConnectTo, body.WrittenSpan, static _ => { }, maxResends: 1);
        }
    }
}
