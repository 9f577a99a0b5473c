using System.Buffers;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;
using Brunet.Security;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>Frames in and out: direct and routed frames, greedy forwarding on the transport thread, local delivery.</summary>
public sealed partial class OverlayNode
{
    private PayloadHandler? _ipHandler;
    private PayloadHandler? _ipGsoHandler;

    /// <summary>
    /// Receives payloads of one type delivered to this node. Runs on a transport thread (not the loop), so the data
    /// path does not queue; <paramref name="payload"/> is valid only during the call. <paramref name="directPeer"/> is
    /// the authenticated peer (with its certificate) when the payload came straight over an edge from its source,
    /// null when it was routed through other nodes.
    /// </summary>
    public delegate void PayloadHandler(Address source, PeerIdentity? directPeer, ReadOnlySpan<byte> payload);

    /// <summary>Sets the receiver of <see cref="PayloadType.IpPacket"/> payloads (relay payloads are the node's own).</summary>
    public void SetPayloadHandler(PayloadType type, PayloadHandler handler)
    {
        switch (type)
        {
            case PayloadType.IpPacket:
                _ipHandler = handler;
                break;
            case PayloadType.IpGsoPacket:
                _ipGsoHandler = handler;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), "RPC payloads go to the RPC manager.");
        }
    }

    /// <summary>
    /// Sends a payload (its first byte a <see cref="PayloadType"/>) routed to <paramref name="destination"/>, or over
    /// the direct link when there is one. Any thread. False when there is no route or the queue is full.
    /// </summary>
    public bool SendRouted(Address destination, RoutingMode mode, ReadOnlySpan<byte> payload) =>
        SendPayload(RpcTarget.Routed(destination, mode), payload);

    /// <summary>How <see cref="SendData"/> sent a packet.</summary>
    public enum DataSend
    {
        /// <summary>Not sent: no direct link and routing was not allowed, no route, or the queue was full.</summary>
        NotSent,

        /// <summary>Straight over the direct link to the destination: only the two ends can read it.</summary>
        Direct,

        /// <summary>Routed hop by hop over the ring: every hop decrypts and re-encrypts it.</summary>
        Routed,

        /// <summary>
        /// Not sent although there is a direct link: its transport refused the packet (the send queue stayed full).
        /// Waiting for a link would not help; the packet is lost, as on a congested wire.
        /// </summary>
        Refused,
    }

    /// <summary>
    /// What the handshake of the direct link to <paramref name="peer"/> proved (keys, certificate), or null when there
    /// is no open direct link: lets a caller check a peer's membership before it sends data. Any thread.
    /// </summary>
    public PeerIdentity? DirectPeer(Address peer) =>
        Connections.Get(peer)?.Edge is PeerEdge edge && !edge.Secure.IsClosed ? edge.Secure.Peer : null;

    /// <summary>
    /// Sends a data packet (the payload without its type byte) of <paramref name="type"/> to <paramref name="destination"/>:
    /// over the direct link when there is one, else routed (exact mode) if <paramref name="allowRouted"/>. Any thread;
    /// no allocation.
    /// </summary>
    public DataSend SendData(Address destination, PayloadType type, ReadOnlySpan<byte> packet, bool allowRouted)
    {
        if (Connections.Get(destination)?.Edge is PeerEdge edge && !edge.Secure.IsClosed)
        {
            edge.TouchData(Loop.Time.GetTimestamp());
            return SendFrame(edge, FrameType.Direct, default, type, packet) ? DataSend.Direct : DataSend.Refused;
        }
        if (!allowRouted)
        {
            return DataSend.NotSent;
        }
        RouteDecision decision = Router.Decide(Connections, new RouteInfo(RoutingMode.Exact, Address, destination));
        if (decision.NextHop is not { } next)
        {
            return DataSend.NotSent;
        }
        var header = new RoutedHeader(0, Options.Ttl, RoutingMode.Exact, Address, destination);
        return SendFrame(next.Edge, FrameType.Routed, header, type, packet) ? DataSend.Routed : DataSend.NotSent;
    }

    /// <summary>
    /// True when the direct link to <paramref name="destination"/> takes super-frames: a UDP edge whose peer said it
    /// reassembles them. Any thread.
    /// </summary>
    public bool CanSendSuperFrame(Address destination) =>
        Connections.Get(destination)?.Edge is PeerEdge { Kind: TransportKind.Udp } edge && !edge.Secure.IsClosed && edge.Secure.PeerAcceptsSuperFrames;

    /// <summary>Bytes before a super-frame's payload that <see cref="SendSuperFrame"/> writes its frame header into.</summary>
    public const int SuperFrameHeadroom = 2;

    /// <summary>
    /// Sends the payload in <paramref name="frame"/> (after its first <see cref="SuperFrameHeadroom"/> bytes, which this
    /// writes: frame and payload type, so the payload is sealed where it lies, without a copy) as a payload of
    /// <paramref name="type"/> over the direct link as one super-frame, in datagrams no larger than a direct frame of
    /// <paramref name="segmentPayload"/> bytes (what an ordinary packet of the virtual MTU takes).
    /// <see cref="DataSend.NotSent"/>, with <paramref name="frame"/> untouched, when the link does not take super-frames
    /// (<see cref="CanSendSuperFrame"/>) or the payload does not fit one; Refused when the edge's queue was full.
    /// Any thread; no allocation.
    /// </summary>
    public DataSend SendSuperFrame(Address destination, PayloadType type, Span<byte> frame, int segmentPayload)
    {
        if (Connections.Get(destination)?.Edge is not PeerEdge { Kind: TransportKind.Udp } edge || edge.Secure.IsClosed
            || !edge.Secure.PeerAcceptsSuperFrames)
        {
            return DataSend.NotSent;
        }
        int maxDatagram = SuperFrameHeadroom + segmentPayload + SecureEdge.TransportOverhead;
        if (frame.Length <= SuperFrameHeadroom || !SecureEdge.FitsSuperFrame(frame.Length, maxDatagram))
        {
            return DataSend.NotSent;
        }
        edge.TouchData(Loop.Time.GetTimestamp());
        frame[0] = (byte)FrameType.Direct;
        frame[1] = (byte)type;
        if (!edge.Secure.TrySendSuperFrame(frame, maxDatagram))
        {
            Interlocked.Increment(ref Counters._dropped);
            return DataSend.Refused;
        }
        Interlocked.Increment(ref Counters._framesOut);
        Interlocked.Add(ref Counters._bytesOut, frame.Length);
        return DataSend.Direct;
    }

    /// <summary>Super-frame counters summed over the node's links now (for /metrics). Any thread.</summary>
    public SuperFrameCounters SuperFrameTotals()
    {
        var totals = new SuperFrameCounters();
        foreach (Connection connection in Connections.Clockwise)
        {
            if (connection.Edge is PeerEdge { Secure: { } secure })
            {
                totals = totals with
                {
                    Sent = totals.Sent + secure.SuperFramesSent,
                    Received = totals.Received + secure.SuperFramesReceived,
                    Incomplete = totals.Incomplete + secure.SuperFramesIncomplete,
                    MalformedChunks = totals.MalformedChunks + secure.SuperChunksMalformed,
                    DuplicateChunks = totals.DuplicateChunks + secure.SuperChunksDuplicate,
                    StaleChunks = totals.StaleChunks + secure.SuperChunksStale,
                };
            }
        }
        return totals;
    }

    /// <summary>What <see cref="SuperFrameTotals"/> sums (each a <see cref="SecureEdge"/> counter of the same name).</summary>
    public readonly record struct SuperFrameCounters(long Sent, long Received, long Incomplete, long MalformedChunks, long DuplicateChunks, long StaleChunks);

    internal bool SendPayload(in RpcTarget target, ReadOnlySpan<byte> payload)
    {
        if (target.Edge is PeerEdge edge)
        {
            return SendFrame(edge, FrameType.Direct, default, payload);
        }
        var header = new RoutedHeader(0, Options.Ttl, target.Mode, Address, target.Address);
        if (target.FirstHop is PeerEdge first && !first.Secure.IsClosed)
        {
            return SendFrame(first, FrameType.Routed, header, payload);
        }
        RouteDecision decision = Router.Decide(Connections, new RouteInfo(target.Mode, Address, target.Address));
        bool sent = false;
        if (decision.NextHop is { } next)
        {
            sent = SendFrame((IConnectionEdge)next.Edge, FrameType.Routed, header, payload);
        }
        else if (!decision.DeliverLocally && target.Via is PeerEdge back && !back.Secure.IsClosed)
        {
            // No way on from here (a reply to a node we have no link to yet): back the way the request came.
            sent = SendFrame(back, FrameType.Routed, header, payload);
            if (sent)
            {
                Interlocked.Increment(ref Counters._sentBack);
            }
        }
        if (decision.DeliverLocally)
        {
            byte[] copy = payload.ToArray();
            Loop.Post(() => DeliverLocal(Address, null, copy));   // never re-enter the caller (the RPC manager)
            sent = true;
        }
        return sent;
    }

    private bool SendFrame(IConnectionEdge edge, FrameType type, in RoutedHeader header, ReadOnlySpan<byte> payload) =>
        SendFrame(edge, type, header, null, payload);

    /// <summary>Builds [frame type][routed header][payload type][payload] in a pooled buffer and sends it.</summary>
    private bool SendFrame(IConnectionEdge edge, FrameType type, in RoutedHeader header, PayloadType? payloadType, ReadOnlySpan<byte> payload)
    {
        int headerSize = (type == FrameType.Routed ? 1 + RoutedHeader.Size : 1) + (payloadType is null ? 0 : 1);
        int length = headerSize + payload.Length;
        if (length > edge.MaxFrameSize)
        {
            Interlocked.Increment(ref Counters._dropped);
            return false;
        }
        byte[] frame = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame[0] = (byte)type;
            if (type == FrameType.Routed)
            {
                header.WriteTo(frame.AsSpan(1));
            }
            if (payloadType is { } payloadByte)
            {
                frame[headerSize - 1] = (byte)payloadByte;
            }
            payload.CopyTo(frame.AsSpan(headerSize));
            bool sent = edge.TrySend(frame.AsSpan(0, length));
            Interlocked.Increment(ref sent ? ref Counters._framesOut : ref Counters._dropped);
            if (sent)
            {
                Interlocked.Add(ref Counters._bytesOut, length);
            }
            return sent;
        }
        finally
        {
            frame.AsSpan(0, length).Clear();     // it may have held a user's IP packet; only these bytes were written
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>A decrypted frame from a transport thread.</summary>
    internal void OnEdgeMessage(PeerEdge edge, ReadOnlySpan<byte> frame)
    {
        edge.Touch(Loop.Time.GetTimestamp());
        Interlocked.Increment(ref Counters._framesIn);
        Interlocked.Add(ref Counters._bytesIn, frame.Length);
        if (frame.IsEmpty || edge.Peer is not { } peer)
        {
            Interlocked.Increment(ref Counters._malformed);
            return;
        }
        switch ((FrameType)frame[0])
        {
            case FrameType.Direct:
                DeliverFromTransport(peer, edge, frame[1..]);
                break;
            case FrameType.Routed:
                OnRoutedFrame(edge, frame);
                break;
            default:
                Interlocked.Increment(ref Counters._malformed);
                break;
        }
    }

    private void OnRoutedFrame(PeerEdge from, ReadOnlySpan<byte> frame)
    {
        if (!RoutedHeader.TryRead(frame[1..], out RoutedHeader header))
        {
            Interlocked.Increment(ref Counters._malformed);
            return;
        }
        if (header.Hops >= header.Ttl)
        {
            Interlocked.Increment(ref Counters._dropped);
            return;
        }
        RouteDecision decision = Router.Decide(Connections, new RouteInfo(header.Mode, header.Source, header.Destination));
        if (decision.NextHop is { } next)
        {
            byte[] copy = ArrayPool<byte>.Shared.Rent(frame.Length);
            try
            {
                frame.CopyTo(copy);
                RoutedHeader.IncrementHops(copy.AsSpan(1));
                if (next.Edge.TrySend(copy.AsSpan(0, frame.Length)))
                {
                    Interlocked.Increment(ref Counters._forwarded);
                }
                else
                {
                    Interlocked.Increment(ref Counters._dropped);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy, clearArray: true);
            }
        }
        if (decision.DeliverLocally)
        {
            DeliverFromTransport(header.Source, null, frame[(1 + RoutedHeader.Size)..], from);
        }
        else if (decision.NextHop is null)
        {
            Interlocked.Increment(ref Counters._dropped);
        }
    }

    /// <summary>A payload for this node, on a transport thread: the data path is handled here, RPC goes to the loop.</summary>
    /// <param name="via">For a routed payload: the edge it came in on (a way back for an RPC answer).</param>
    private void DeliverFromTransport(Address source, PeerEdge? edge, ReadOnlySpan<byte> payload, PeerEdge? via = null)
    {
        if (payload.IsEmpty)
        {
            Interlocked.Increment(ref Counters._malformed);
            return;
        }
        Interlocked.Increment(ref Counters._delivered);
        switch ((PayloadType)payload[0])
        {
            case PayloadType.Rpc:
                PostToLoop(source, edge, via, payload);
                break;
            case PayloadType.IpPacket:
                if (edge is not null)
                {
                    edge.TouchData(Loop.Time.GetTimestamp());
                }
                _ipHandler?.Invoke(source, edge?.Secure.Peer, payload[1..]);
                break;
            case PayloadType.IpGsoPacket:
                // Direct only: it stands for a TSO frame of the peer's own host.
                if (edge is not null)
                {
                    edge.TouchData(Loop.Time.GetTimestamp());
                    _ipGsoHandler?.Invoke(source, edge.Secure.Peer, payload[1..]);
                }
                else
                {
                    Interlocked.Increment(ref Counters._malformed);
                }
                break;
            case PayloadType.Tunnel:
                if (edge is not null && edge.Peer == source)
                {
                    OnTunnelPayload(edge, payload[1..]);
                }
                break;
            default:
                Interlocked.Increment(ref Counters._malformed);
                break;
        }
    }

    // Its own method: a lambda in DeliverFromTransport would capture its parameters, and C# allocates that closure
    // on every call, IP packets included.
    private void PostToLoop(Address source, PeerEdge? edge, PeerEdge? via, ReadOnlySpan<byte> payload)
    {
        byte[] copy = payload.ToArray();
        Loop.Post(() => DeliverLocal(source, edge, copy, via));
    }

    /// <summary>A payload for this node, on the loop.</summary>
    private void DeliverLocal(Address source, PeerEdge? edge, byte[] payload, PeerEdge? via = null)
    {
        if (payload.Length == 0)
        {
            return;
        }
        if ((PayloadType)payload[0] != PayloadType.Rpc)
        {
            DeliverFromTransport(source, edge, payload);
            return;
        }
        if (_state != 1)
        {
            return;
        }
        RpcTarget replyTo = edge is not null ? RpcTarget.Direct(edge, source) : RpcTarget.Routed(source) with { Via = via };
        Rpc.OnMessage(replyTo, source, payload.AsSpan(1));
    }
}
