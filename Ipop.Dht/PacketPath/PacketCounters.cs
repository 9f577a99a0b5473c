using System.Text;
using Brunet.Control;

namespace Ipop.Dht.PacketPath;

/// <summary>What the packet path did with frames and packets; shown on the control endpoint's /metrics.</summary>
internal sealed class PacketCounters
{
    internal long _framesFromHost;
    internal long _packetsOut;
    internal long _packetsOutDirect;
    internal long _packetsIn;
    internal long _coalescedFrames;
    internal long _arpReplies;
    internal long _dhcpReplies;
    internal long _queued;
    internal long _droppedSpoofed;
    internal long _droppedUnresolved;
    internal long _droppedNoRoute;
    internal long _droppedQueueFull;
    internal long _droppedNotDirect;
    internal long _droppedNotMember;
    internal long _droppedToNonMember;
    internal long _droppedBroadcast;
    internal long _droppedMalformed;
    internal long _droppedNoHost;
    internal long _droppedOther;
    internal long _droppedSendFull;
    internal long _superFramesOut;
    internal long _superFramesIn;
    internal long _superFramesSplit;

    public long PacketsOut => Interlocked.Read(ref _packetsOut);

    public long PacketsOutDirect => Interlocked.Read(ref _packetsOutDirect);

    public long PacketsIn => Interlocked.Read(ref _packetsIn);

    /// <summary>GSO frames written to the host, each several TCP segments from one receive batch.</summary>
    public long CoalescedFrames => Interlocked.Read(ref _coalescedFrames);

    public long ArpReplies => Interlocked.Read(ref _arpReplies);

    public long DhcpReplies => Interlocked.Read(ref _dhcpReplies);

    /// <summary>Inbound packets whose source IP is not leased to the node that sent them.</summary>
    public long DroppedSpoofed => Interlocked.Read(ref _droppedSpoofed);

    public long DroppedUnresolved => Interlocked.Read(ref _droppedUnresolved);

    public long DroppedNotDirect => Interlocked.Read(ref _droppedNotDirect);

    public long DroppedNotMember => Interlocked.Read(ref _droppedNotMember);

    /// <summary>Outbound packets not sent because the directly linked node holding the address is not a group member.</summary>
    public long DroppedToNonMember => Interlocked.Read(ref _droppedToNonMember);

    public long DroppedBroadcast => Interlocked.Read(ref _droppedBroadcast);

    public long DroppedMalformed => Interlocked.Read(ref _droppedMalformed);

    public long DroppedOther => Interlocked.Read(ref _droppedOther);

    /// <summary>Outbound packets over a direct link that its transport refused (the UDP send queue stayed full).</summary>
    public long DroppedSendFull => Interlocked.Read(ref _droppedSendFull);

    public long DroppedQueueFull => Interlocked.Read(ref _droppedQueueFull);

    /// <summary>TSO frames sent whole as one super-frame.</summary>
    public long SuperFramesOut => Interlocked.Read(ref _superFramesOut);

    /// <summary>Super-frames from the overlay written to the TAP as one GSO frame.</summary>
    public long SuperFramesIn => Interlocked.Read(ref _superFramesIn);

    /// <summary>TSO frames read whole but sent as segments (the link takes no super-frames, or the address was not cached).</summary>
    public long SuperFramesSplit => Interlocked.Read(ref _superFramesSplit);

    /// <summary>Prometheus text (the control endpoint's ExtraMetrics).</summary>
    public void WriteMetrics(StringBuilder text)
    {
        ControlEndpoint.Counter(text, "groupvpn_frames_from_host_total", "Frames read from the TAP device.", Interlocked.Read(ref _framesFromHost));
        ControlEndpoint.Counter(text, "groupvpn_packets_out_total", "IP packets sent into the overlay.", PacketsOut);
        ControlEndpoint.Counter(text, "groupvpn_packets_out_direct_total", "IP packets sent over a direct edge.", PacketsOutDirect);
        ControlEndpoint.Counter(text, "groupvpn_packets_in_total", "IP packets from the overlay written to the TAP device.", PacketsIn);
        ControlEndpoint.Counter(text, "groupvpn_coalesced_frames_total", "GSO frames written to the TAP, each several TCP segments of one receive batch.", CoalescedFrames);
        ControlEndpoint.Counter(text, "groupvpn_super_frames_out_total", "TSO frames sent whole, each one AEAD message in several datagrams.", SuperFramesOut);
        ControlEndpoint.Counter(text, "groupvpn_super_frames_in_total", "Super-frames written to the TAP as one GSO frame.", SuperFramesIn);
        ControlEndpoint.Counter(text, "groupvpn_super_frames_split_total", "TSO frames read whole but sent as segments (no super-frames on the link).", SuperFramesSplit);
        ControlEndpoint.Counter(text, "groupvpn_arp_replies_total", "ARP requests answered.", ArpReplies);
        ControlEndpoint.Counter(text, "groupvpn_dhcp_replies_total", "DHCP replies sent to the host.", DhcpReplies);
        ControlEndpoint.Counter(text, "groupvpn_packets_queued_total", "Packets held while an address was resolved or a direct edge made.", Interlocked.Read(ref _queued));
        ControlEndpoint.Counter(text, "groupvpn_dropped_spoofed_total", "Inbound packets whose source IP is not leased to their sender.", DroppedSpoofed);
        ControlEndpoint.Counter(text, "groupvpn_dropped_unresolved_total", "Outbound packets to an address nobody leases.", DroppedUnresolved);
        ControlEndpoint.Counter(text, "groupvpn_dropped_no_route_total", "Outbound packets the overlay could not send.", Interlocked.Read(ref _droppedNoRoute));
        ControlEndpoint.Counter(text, "groupvpn_dropped_queue_full_total", "Held packets dropped because their queue was full.", DroppedQueueFull);
        ControlEndpoint.Counter(text, "groupvpn_dropped_not_direct_total", "Inbound GroupVPN packets that were routed instead of direct.", DroppedNotDirect);
        ControlEndpoint.Counter(text, "groupvpn_dropped_not_member_total", "Inbound packets from nodes that are not group members.", DroppedNotMember);
        ControlEndpoint.Counter(text, "groupvpn_dropped_to_non_member_total", "Outbound packets not sent because their destination node is not a group member.", DroppedToNonMember);
        ControlEndpoint.Counter(text, "groupvpn_dropped_broadcast_total", "Broadcast and multicast packets (not carried yet).", DroppedBroadcast);
        ControlEndpoint.Counter(text, "groupvpn_dropped_malformed_total", "Frames or packets that did not parse.", DroppedMalformed);
        ControlEndpoint.Counter(text, "groupvpn_dropped_no_host_total", "Inbound packets before the host's MAC was known.", Interlocked.Read(ref _droppedNoHost));
        ControlEndpoint.Counter(text, "groupvpn_dropped_send_full_total", "Outbound packets over a direct link refused by its full send queue.", DroppedSendFull);
        ControlEndpoint.Counter(text, "groupvpn_dropped_other_total", "Other frames not carried (IPv6, outside the subnet, for the gateway).", DroppedOther);
    }
}
