using System.Buffers;
using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;
using Ipop.Dhcp.Wire;
using Ipop.Dht.Resolution;
using Ipop.Dht.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// The TAP &lt;-&gt; overlay loop. From the host: ARP for the subnet is answered with the virtual gateway's MAC, DHCP
/// goes to the DHCP server, IPv4 unicast to a member goes to the node that leases the destination (looked up in the
/// DHT, cached). From the overlay: a packet is written to the host only if its source IP is leased to the node that
/// sent it. Open VPN: routed first, while traffic makes a direct edge. GroupVPN: direct edges only, from members only;
/// packets wait (a few per destination) while the edge is made.
/// </summary>
/// <remarks>One reader thread (<see cref="Run"/>), no Task per packet; inbound runs on the transport's thread.</remarks>
internal sealed class VpnPacketPath
{
    /// <summary>Packets held per destination while its address is looked up or its direct edge made; the oldest go first.</summary>
    public const int MaxQueuedPerDestination = 32;

    /// <summary>
    /// Addresses with packets waiting, each way. Peers choose inbound source addresses, so without this bound they
    /// could make the node hold 32 packets for every address of the subnet.
    /// </summary>
    public const int MaxWaitingAddresses = 256;

    /// <summary>How often traffic may ask the overlay for a direct link to one peer.</summary>
    public static readonly TimeSpan LinkRequestInterval = TimeSpan.FromSeconds(1);

    /// <summary>Frames one <see cref="DrainHost"/> handles at most, so the overlay's receive thread returns to its socket.</summary>
    public const int MaxDrain = 64;

    /// <summary>Frames the overlay's receive thread takes from the host after a batch (<see cref="DrainAfterInbound"/>).</summary>
    public const int MaxDrainInbound = 4;

    private const uint LimitedBroadcast = 0xffff_ffff;

    private readonly IFrameDevice _device;
    private readonly IOverlayPort _overlay;
    private readonly LeaseResolver _resolver;
    private readonly DhcpServer? _dhcp;
    private readonly IGroupPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ArpResponder _arp;
    private readonly uint _network;
    private readonly uint _netmask;
    private readonly uint _gateway;
    private readonly uint _broadcast;
    private readonly Lock _queueLock = new();
    private readonly Dictionary<uint, Queue<byte[]>> _outboundQueues = [];
    private readonly Dictionary<uint, Queue<(Address Source, byte[] Packet)>> _inboundQueues = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Address, long> _linkRequested = new();
    private long _hostMac = -1;
    private readonly Lock _hostGate = new();
    private byte[]? _hostBuffer;
    private Func<Span<byte>, int>? _tryReadHost;
    private ITsoFrameSource? _tso;

    // True while the reader thread sleeps (or there is none): only then does the overlay's receive thread take the
    // host's frames; an awake reader takes them itself, and a stream's bulk stays on it.
    private bool _hostReaderWaiting = true;

    // The receive thread's batch: which path it is delivering for, and its coalescer (one per thread).
    [ThreadStatic]
    private static VpnPacketPath? t_batch;
    [ThreadStatic]
    private static TcpCoalescer? t_coalescer;

    /// <param name="dhcp">Null on a host with a static address: DHCP from the host is not answered.</param>
    /// <summary>The <c>.ipop</c> name server on the virtual gateway, if the node runs one.</summary>
    public DnsOnTap? Dns { get; set; }

    public VpnPacketPath(
        IFrameDevice device, IOverlayPort overlay, LeaseResolver resolver, DhcpServer? dhcp, AddressPool pool, IGroupPolicy policy,
        TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(policy);
        _device = device;
        _overlay = overlay;
        _resolver = resolver;
        _dhcp = dhcp;
        _policy = policy;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _network = Ipv4Math.ToUInt32(pool.Network);
        _netmask = Ipv4Math.ToUInt32(pool.Netmask);
        _gateway = Ipv4Math.ToUInt32(pool.Gateway);
        _broadcast = Ipv4Math.ToUInt32(pool.Broadcast);
        _arp = new ArpResponder(MacAddress.VirtualGateway, _network, _netmask);
        _resolver.Resolved += OnResolved;
    }

    public PacketCounters Counters { get; } = new();

    /// <summary>The host's MAC on the TAP, learned from its frames; null until it has sent one.</summary>
    public MacAddress? HostMac => Interlocked.Read(ref _hostMac) is >= 0 and long value ? new MacAddress((ulong)value) : null;

    /// <summary>
    /// Reads frames with a blocking <paramref name="read"/> on the calling thread (a dedicated one) and handles each
    /// inline, through lookup, seal and the UDP queue: no Task and no thread hop per packet. Ends when
    /// <paramref name="read"/> returns a negative length (the device was disposed).
    /// </summary>
    public void Run(Func<Span<byte>, int> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        byte[] buffer = GC.AllocateUninitializedArray<byte>(Math.Max(2048, _device.Mtu + 64));
        try
        {
            while (true)
            {
                int length = read(buffer);
                if (length < 0)
                {
                    return;
                }
                _ = HandleFrame(buffer.AsSpan(0, length));   // a DHCP exchange finishes on its own; it logs its failures
            }
        }
        finally
        {
            Array.Clear(buffer);   // it held the host's packets
        }
    }

    /// <summary>
    /// The host's frames without waiting (the device's non-blocking read: a length, or -1 when none is queued), for
    /// <see cref="DrainHost"/> and <see cref="RunPolled"/>. Set before traffic.
    /// </summary>
    /// <param name="tso">
    /// When set, the reads hand over the host's TSO frames whole (<see cref="ITsoFrameSource.LastSegmentSize"/>): each
    /// goes to a direct link that takes super-frames as one, else the device splits it and the next reads return its
    /// segments.
    /// </param>
    public void UseHostReader(Func<Span<byte>, int> tryRead, ITsoFrameSource? tso = null)
    {
        ArgumentNullException.ThrowIfNull(tryRead);
        _hostBuffer = GC.AllocateUninitializedArray<byte>(tso is null ? Math.Max(2048, _device.Mtu + 64) : EthernetHeader.Size + 65_535 + 64);
        _tryReadHost = tryRead;
        _tso = tso;
    }

    /// <summary>
    /// True (the default with a host reader): the overlay's receive thread, after it wrote a batch to the host, takes
    /// what the host answered at once (the kernel often answers inside the write: an ICMP echo reply, a TCP ACK), so
    /// the reply leaves without waking the reader thread. Only while that thread sleeps.
    /// </summary>
    public bool DrainAfterInbound { get; set; } = true;

    /// <summary>
    /// Handles the frames the host has queued now, on the calling thread, up to <see cref="MaxDrain"/>: how many.
    /// One thread at a time: with <paramref name="wait"/> false it returns 0 at once when another is on it.
    /// </summary>
    public int DrainHost(bool wait) => DrainHost(wait, MaxDrain);

    /// <summary>
    /// Milliseconds a thread handling the host's frames waits for room in a full UDP send queue before it drops a
    /// packet (<see cref="UdpEdgeListener.WaitWhenFull"/>): a drop costs the host's TCP a retransmit and half its window.
    /// </summary>
    public int SendFullWaitMilliseconds { get; set; }

    private int DrainHost(bool wait, int max)
    {
        if (_tryReadHost is not { } tryRead || _hostBuffer is not { } buffer)
        {
            return 0;
        }
        if (wait)
        {
            _hostGate.Enter();
        }
        else if (!_hostGate.TryEnter())
        {
            return 0;
        }
        int waitWhenFull = UdpEdgeListener.WaitWhenFull;
        UdpEdgeListener.WaitWhenFull = SendFullWaitMilliseconds;
        try
        {
            int handled = 0;
            while (handled < max)
            {
                int length = tryRead(buffer);
                if (length < 0)
                {
                    break;
                }
                handled++;
                if (_tso is { LastSegmentSize: > 0 } tso)
                {
                    if (!TrySendWhole(buffer.AsSpan(0, length), new GsoFacts(tso.LastSegmentSize, tso.LastEcn)))
                    {
                        tso.SplitLast(buffer.AsSpan(0, length));     // the next reads return its segments, which take the ordinary way
                        Interlocked.Increment(ref Counters._superFramesSplit);
                    }
                    continue;
                }
                _ = HandleFrame(buffer.AsSpan(0, length));   // a DHCP exchange finishes on its own; it logs its failures
            }
            return handled;
        }
        finally
        {
            UdpEdgeListener.WaitWhenFull = waitWhenFull;
            _hostGate.Exit();
        }
    }

    /// <summary>
    /// The reader thread's loop over <see cref="DrainHost"/>: handles what the host queued, then, for
    /// <paramref name="busyPoll"/> after it last sent, polls the overlay (<paramref name="pollOverlay"/>: takes and
    /// delivers what arrived, without waiting) instead of sleeping, so a reply due within that time is handled without
    /// a thread's wake-up (it returns how many it delivered, or a negative number when polling is of no use now); then
    /// blocks in <paramref name="waitHost"/>, which returns false once the device is disposed.
    /// </summary>
    public void RunPolled(Func<bool> waitHost, Func<int>? pollOverlay, TimeSpan busyPoll)
    {
        ArgumentNullException.ThrowIfNull(waitHost);
        long spinTicks = (long)(busyPoll.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        long spinUntil = 0;
        Volatile.Write(ref _hostReaderWaiting, false);
        try
        {
            while (true)
            {
                if (DrainHost(wait: true) > 0)
                {
                    spinUntil = System.Diagnostics.Stopwatch.GetTimestamp() + spinTicks;
                    continue;
                }
                if (pollOverlay is not null && System.Diagnostics.Stopwatch.GetTimestamp() < spinUntil)
                {
                    if (pollOverlay() != 0)
                    {
                        spinUntil = 0;     // the reply came, or the overlay's receive thread is awake: sleep until the host sends
                    }
                    else
                    {
                        // Yield, not pause: on a busy machine the thread this poll waits for (the other side's, or
                        // our receive thread) may be runnable on this very core, and a spin would hold it off.
                        Thread.Yield();
                    }
                    continue;
                }
                Volatile.Write(ref _hostReaderWaiting, true);
                bool readable = waitHost();
                Volatile.Write(ref _hostReaderWaiting, false);
                if (!readable)
                {
                    return;
                }
            }
        }
        finally
        {
            lock (_hostGate)
            {
                Array.Clear(_hostBuffer ?? []);   // it held the host's packets
            }
        }
    }

    /// <summary>
    /// Handles one frame from the host. Returns the DHCP exchange when the frame was a DHCP request (it answers
    /// through the DHT, so later), else a completed task.
    /// </summary>
    public Task HandleFrame(ReadOnlySpan<byte> frame)
    {
        Interlocked.Increment(ref Counters._framesFromHost);
        if (!EthernetHeader.TryRead(frame, out EthernetHeader ethernet))
        {
            Interlocked.Increment(ref Counters._droppedMalformed);
            return Task.CompletedTask;
        }
        if (!ethernet.Source.IsMulticast)
        {
            Interlocked.Exchange(ref _hostMac, (long)ethernet.Source.Value);
        }
        switch (ethernet.EtherType)
        {
            case EtherType.Arp:
                Span<byte> reply = stackalloc byte[ArpResponder.ReplySize];
                if (_arp.TryBuildReply(frame, reply, out int written))
                {
                    _device.Write(reply[..written]);
                    Interlocked.Increment(ref Counters._arpReplies);
                }
                else
                {
                    Interlocked.Increment(ref Counters._droppedOther);
                }
                return Task.CompletedTask;
            case EtherType.IPv4:
                return HandleIpv4(frame);
            default:
                Interlocked.Increment(ref Counters._droppedOther);
                return Task.CompletedTask;
        }
    }

    /// <summary>An IP packet from the overlay (the node's payload handler; a transport thread).</summary>
    public void OnOverlayPacket(Address source, PeerIdentity? directPeer, ReadOnlySpan<byte> packet)
    {
        if (_policy.IsPrivate)
        {
            // GroupVPN traffic rides only direct edges, whose handshake proved the peer's certificate.
            if (directPeer is null)
            {
                Interlocked.Increment(ref Counters._droppedNotDirect);
                return;
            }
            if (_policy.Check(directPeer) is not null)
            {
                Interlocked.Increment(ref Counters._droppedNotMember);
                return;
            }
        }
        if (!Ipv4Header.TryRead(packet, out Ipv4Header ip))
        {
            Interlocked.Increment(ref Counters._droppedMalformed);
            return;
        }
        ReadOnlySpan<byte> whole = packet[..ip.TotalLength];
        if ((ip.Source & _netmask) != _network || ip.Source == _network || ip.Source == _gateway || ip.Source == _broadcast)
        {
            Interlocked.Increment(ref Counters._droppedSpoofed);    // no member can lease that address
            return;
        }
        if (_resolver.TryGetCached(ip.Source, out Address? holder))
        {
            DeliverIfLeased(source, holder, whole);
            return;
        }
        lock (_queueLock)
        {
            Enqueue(_inboundQueues, ip.Source, (source, whole.ToArray()));
        }
        _resolver.Lookup(ip.Source);
    }

    /// <summary>
    /// A TCP/IPv4 packet of up to 64 KB from the overlay that stands for a TSO frame of the peer's host
    /// (<see cref="PayloadType.IpGsoPacket"/>: <see cref="GsoFacts"/>, then the packet), from a super-frame. Checked as
    /// <see cref="OnOverlayPacket"/> checks a packet, and more: it must come over a direct edge, be TCP without
    /// fragments, and its source must be cached (it cannot wait for a lookup: its checksum is partial). Written to the
    /// host as one GSO frame; the host's kernel cuts it if it forwards it.
    /// </summary>
    public void OnOverlayGsoPacket(Address source, PeerIdentity? directPeer, ReadOnlySpan<byte> payload)
    {
        if (directPeer is null)
        {
            Interlocked.Increment(ref Counters._droppedNotDirect);
            return;
        }
        if (_policy.IsPrivate && _policy.Check(directPeer) is not null)
        {
            Interlocked.Increment(ref Counters._droppedNotMember);
            return;
        }
        if (_device is not IGsoFrameWriter { Offload: true } || !GsoFacts.TryRead(payload, out GsoFacts facts)
            || !Ipv4Header.TryRead(payload[GsoFacts.Size..], out Ipv4Header ip))
        {
            Interlocked.Increment(ref Counters._droppedMalformed);
            return;
        }
        ReadOnlySpan<byte> packet = payload[GsoFacts.Size..];
        int tcpOffset = ip.HeaderLength;
        if (ip.TotalLength != packet.Length || ip.Protocol != Ipv4Header.ProtocolTcp
            || (ip.FlagsAndFragmentOffset & (Ipv4Header.MoreFragments | 0x1fff)) != 0
            || packet.Length < tcpOffset + 20 || (packet[tcpOffset + 12] >> 4) * 4 < 20 || tcpOffset + ((packet[tcpOffset + 12] >> 4) * 4) > packet.Length)
        {
            Interlocked.Increment(ref Counters._droppedMalformed);
            return;
        }
        if ((ip.Source & _netmask) != _network || ip.Source == _network || ip.Source == _gateway || ip.Source == _broadcast)
        {
            Interlocked.Increment(ref Counters._droppedSpoofed);
            return;
        }
        if (!_resolver.TryGetCached(ip.Source, out Address? holder))
        {
            Interlocked.Increment(ref Counters._droppedUnresolved);
            _resolver.Lookup(ip.Source);
            return;
        }
        DeliverIfLeased(source, holder, packet, facts);
    }

    /// <summary>
    /// The transport's receive thread starts a batch of datagrams (recvmmsg): until <see cref="EndInboundBatch"/>, TCP
    /// segments delivered on this thread are coalesced into GSO frames when the device takes them.
    /// </summary>
    public void BeginInboundBatch()
    {
        if (_device is IGsoFrameWriter { Offload: true })
        {
            t_coalescer ??= new TcpCoalescer();
        }
        t_batch = this;
    }

    /// <summary>The batch ended: writes what was coalesced.</summary>
    public void EndInboundBatch()
    {
        if (t_batch != this)
        {
            return;
        }
        t_batch = null;
        if (t_coalescer is { } coalescer && _device is IGsoFrameWriter { Offload: true } gso)
        {
            coalescer.Flush(_device, gso);
            Interlocked.Add(ref Counters._coalescedFrames, coalescer.TakeCoalesced());
        }
        if (DrainAfterInbound && Volatile.Read(ref _hostReaderWaiting))
        {
            DrainHost(wait: false, MaxDrainInbound);   // a few: the receive thread must get back to its socket
        }
    }

    /// <summary>The overlay's links changed: send what waited for a direct edge (GroupVPN).</summary>
    public void OnConnectionsChanged()
    {
        uint[] waiting;
        lock (_queueLock)
        {
            if (_outboundQueues.Count == 0)
            {
                return;
            }
            waiting = [.. _outboundQueues.Keys];
        }
        foreach (uint ip in waiting)
        {
            FlushOutbound(ip);
        }
    }

    private Task HandleIpv4(ReadOnlySpan<byte> frame)
    {
        if (FrameReader.TryReadUdp(frame, out Ipv4Header udpIp, out UdpHeader udp, out int payloadOffset, out int payloadLength))
        {
            if (udp.DestinationPort == DhcpReply.ServerPort)
            {
                return HandleDhcp(frame.Slice(payloadOffset, payloadLength));
            }
            if (Dns?.TryHandle(frame, udpIp, udp, payloadOffset, payloadLength) == true)
            {
                return Task.CompletedTask;   // a .ipop name query to the virtual gateway
            }
        }
        ReadOnlySpan<byte> packet = frame[EthernetHeader.Size..];
        if (!Ipv4Header.TryRead(packet, out Ipv4Header ip))
        {
            Interlocked.Increment(ref Counters._droppedMalformed);
            return Task.CompletedTask;
        }
        uint destination = ip.Destination;
        if (destination == LimitedBroadcast || destination == _broadcast || (destination >> 28) == 0xe)
        {
            Interlocked.Increment(ref Counters._droppedBroadcast);   // TODO(issue C): broadcast and multicast inside the VPN
            return Task.CompletedTask;
        }
        if ((destination & _netmask) != _network || destination == _gateway || destination == _network)
        {
            Interlocked.Increment(ref Counters._droppedOther);
            return Task.CompletedTask;
        }
        SendOutbound(destination, packet[..ip.TotalLength]);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A TSO frame read whole: sent as one super-frame when its destination is a member whose address is cached and
    /// whose direct link takes them. False when it must go as segments instead (anything else, which the ordinary
    /// path then handles, counts and queues as it does every packet).
    /// </summary>
    /// <remarks>
    /// The node's frame header and the GSO facts are written over the end of the Ethernet header, which is read by then,
    /// so the packet is sealed where the TAP read put it; they are put back when the frame goes as segments after all.
    /// </remarks>
    private bool TrySendWhole(Span<byte> frame, GsoFacts facts)
    {
        Interlocked.Increment(ref Counters._framesFromHost);
        if (!EthernetHeader.TryRead(frame, out EthernetHeader ethernet) || ethernet.EtherType != EtherType.IPv4
            || !Ipv4Header.TryRead(frame[EthernetHeader.Size..], out Ipv4Header ip))
        {
            return false;
        }
        uint destination = ip.Destination;
        if ((destination & _netmask) != _network || destination == _gateway || destination == _network || destination == _broadcast
            || !_resolver.TryGetCached(destination, out Address? node) || node is not { } target
            || (_policy.IsPrivate && _overlay.DirectPeer(target) is { } peer && _policy.Check(peer) is not null))
        {
            return false;
        }
        const int room = OverlayNode.SuperFrameHeadroom + GsoFacts.Size;
        const int start = EthernetHeader.Size - room;
        Span<byte> saved = stackalloc byte[room];
        frame.Slice(start, room).CopyTo(saved);
        facts.WriteTo(frame[(EthernetHeader.Size - GsoFacts.Size)..]);
        switch (_overlay.SendSuperFrame(target, frame.Slice(start, room + ip.TotalLength), _device.Mtu))
        {
            case OverlayNode.DataSend.Direct:
                Interlocked.Increment(ref Counters._packetsOut);
                Interlocked.Increment(ref Counters._packetsOutDirect);
                Interlocked.Increment(ref Counters._superFramesOut);
                return true;
            case OverlayNode.DataSend.Refused:
                Interlocked.Increment(ref Counters._droppedSendFull);
                return true;
            default:
                saved.CopyTo(frame[start..]);
                return false;
        }
    }

    private Task HandleDhcp(ReadOnlySpan<byte> payload)
    {
        if (_dhcp is null)
        {
            Interlocked.Increment(ref Counters._droppedOther);
            return Task.CompletedTask;
        }
        DhcpMessage request;
        try
        {
            request = DhcpMessage.Parse(payload);
        }
        catch (DhcpFormatException e)
        {
            Interlocked.Increment(ref Counters._droppedMalformed);
            PacketPathLog.DhcpMalformed(_logger, e.Message);
            return Task.CompletedTask;
        }
        return AnswerDhcpAsync(_dhcp, request);
    }

    private async Task AnswerDhcpAsync(DhcpServer server, DhcpMessage request)
    {
        try
        {
            DhcpReply? reply = await server.HandleAsync(request).ConfigureAwait(false);
            if (reply is null)
            {
                return;
            }
            byte[] frame = ArrayPool<byte>.Shared.Rent(FrameBuilder.UdpPayloadOffset + reply.Message.GetEncodedLength());
            try
            {
                int length = FrameBuilder.WriteDhcpReply(frame, reply, MacAddress.VirtualGateway, server.Options.ServerAddress);
                _device.Write(frame.AsSpan(0, length));
                Interlocked.Increment(ref Counters._dhcpReplies);
                PacketPathLog.DhcpReplied(_logger, reply.Message.MessageType?.ToString() ?? "reply", reply.Message.YourAddress.ToString());
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            PacketPathLog.DhcpFailed(_logger, e);
        }
    }

    private void SendOutbound(uint destination, ReadOnlySpan<byte> packet)
    {
        if (!_resolver.TryGetCached(destination, out Address? node))
        {
            lock (_queueLock)
            {
                Enqueue(_outboundQueues, destination, packet.ToArray());
            }
            _resolver.Lookup(destination);
            return;
        }
        if (node is not { } target)
        {
            Interlocked.Increment(ref Counters._droppedUnresolved);
            return;
        }
        if (!TrySend(target, packet))
        {
            lock (_queueLock)
            {
                Enqueue(_outboundQueues, destination, packet.ToArray());
            }
        }
    }

    /// <summary>Sends to <paramref name="target"/>; false when the packet should wait for a direct edge (GroupVPN).</summary>
    private bool TrySend(Address target, ReadOnlySpan<byte> packet)
    {
        bool isPrivate = _policy.IsPrivate;
        if (isPrivate && _overlay.DirectPeer(target) is { } peer && _policy.Check(peer) is not null)
        {
            // The address is leased to a node outside the group (the DHT's leases are open): its handshake
            // certificate does not pass, so the member's packet is not handed to it.
            Interlocked.Increment(ref Counters._droppedToNonMember);
            return true;
        }
        OverlayNode.DataSend sent = _overlay.Send(target, packet, allowRouted: !isPrivate);
        switch (sent)
        {
            case OverlayNode.DataSend.Direct:
                Interlocked.Increment(ref Counters._packetsOut);
                Interlocked.Increment(ref Counters._packetsOutDirect);
                return true;
            case OverlayNode.DataSend.Refused:
                // A direct link whose send queue stayed full: holding the packet for a link would only reorder it.
                Interlocked.Increment(ref Counters._droppedSendFull);
                return true;
            case OverlayNode.DataSend.Routed:
                Interlocked.Increment(ref Counters._packetsOut);
                RequestLink(target);
                return true;
            default:
                RequestLink(target);
                if (isPrivate)
                {
                    return false;
                }
                Interlocked.Increment(ref Counters._droppedNoRoute);
                return true;
        }
    }

    private void RequestLink(Address target)
    {
        long now = _time.GetTimestamp();
        if (_linkRequested.TryGetValue(target, out long last) && _time.GetElapsedTime(last, now) < LinkRequestInterval)
        {
            return;
        }
        _linkRequested[target] = now;
        _overlay.RequestDirectLink(target);
    }

    private void OnResolved(uint ip, Address? node)
    {
        (Address Source, byte[] Packet)[]? inbound = null;
        lock (_queueLock)
        {
            if (_inboundQueues.Remove(ip, out Queue<(Address, byte[])>? queue))
            {
                inbound = [.. queue];
            }
        }
        if (inbound is not null)
        {
            foreach ((Address source, byte[] packet) in inbound)
            {
                DeliverIfLeased(source, node, packet);
            }
        }
        FlushOutbound(ip);
    }

    private void FlushOutbound(uint ip)
    {
        if (!_resolver.TryGetCached(ip, out Address? node))
        {
            return;
        }
        lock (_queueLock)
        {
            if (!_outboundQueues.TryGetValue(ip, out Queue<byte[]>? queue))
            {
                return;
            }
            if (node is not { } target)
            {
                Interlocked.Add(ref Counters._droppedUnresolved, queue.Count);
                _outboundQueues.Remove(ip);
                return;
            }
            while (queue.TryPeek(out byte[]? packet))
            {
                if (!TrySend(target, packet))
                {
                    return;     // still no direct edge: keep the rest in order
                }
                queue.Dequeue();
            }
            _outboundQueues.Remove(ip);
        }
    }

    /// <param name="facts">For a packet that stands for a TSO frame (a super-frame's): written as one GSO frame.</param>
    private void DeliverIfLeased(Address source, Address? holder, ReadOnlySpan<byte> packet, GsoFacts facts = default)
    {
        if (holder != source)
        {
            Interlocked.Increment(ref Counters._droppedSpoofed);
            return;
        }
        long hostMac = Interlocked.Read(ref _hostMac);
        if (hostMac < 0)
        {
            Interlocked.Increment(ref Counters._droppedNoHost);
            return;
        }
        var ethernet = new EthernetHeader(new MacAddress((ulong)hostMac), MacAddress.VirtualGateway, EtherType.IPv4);
        if (facts.SegmentSize > 0 && _device is IGsoFrameWriter { Offload: true } whole)
        {
            if (t_batch == this && t_coalescer is { } before)
            {
                before.Flush(_device, whole);     // what came before it in this batch goes first
            }
            Span<byte> link = stackalloc byte[EthernetHeader.Size];
            ethernet.WriteTo(link);
            whole.WriteTcp4Gso(link, packet, facts.SegmentSize, facts.Ecn);     // the packet as it is, no copy
            Interlocked.Increment(ref Counters._superFramesIn);
            Interlocked.Increment(ref Counters._packetsIn);
            return;
        }
        int length = EthernetHeader.Size + packet.Length;
        byte[] frame = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ethernet.WriteTo(frame);
            packet.CopyTo(frame.AsSpan(EthernetHeader.Size));
            if (t_batch == this && t_coalescer is { } coalescer && _device is IGsoFrameWriter { Offload: true } gso)
            {
                coalescer.Add(frame.AsSpan(0, length), _device, gso);
            }
            else
            {
                _device.Write(frame.AsSpan(0, length));
            }
            Interlocked.Increment(ref Counters._packetsIn);
        }
        finally
        {
            frame.AsSpan(0, length).Clear();     // it held a user's IP packet; only these bytes were written
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private void Enqueue<T>(Dictionary<uint, Queue<T>> queues, uint ip, T item)
    {
        if (!queues.TryGetValue(ip, out Queue<T>? queue))
        {
            if (queues.Count >= MaxWaitingAddresses)
            {
                Interlocked.Increment(ref Counters._droppedQueueFull);
                return;
            }
            queue = new Queue<T>();
            queues[ip] = queue;
        }
        if (queue.Count >= MaxQueuedPerDestination)
        {
            queue.Dequeue();
            Interlocked.Increment(ref Counters._droppedQueueFull);
        }
        queue.Enqueue(item);
        Interlocked.Increment(ref Counters._queued);
    }
}
