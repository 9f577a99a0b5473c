using System.Text;
using Brunet.Control;
using Brunet.Node;
using Brunet.Transport;
using Ipop.Dht.Tap;

namespace Ipop.Dht.Cli;

/// <summary>The drop counters of the data path's devices (TAP and UDP listeners), for <c>/metrics</c>.</summary>
internal static class DataPathMetrics
{
    public static void Write(StringBuilder text, TapDevice tap, IEnumerable<IEdgeListener> listeners, OverlayNode node)
    {
        OverlayNode.SuperFrameCounters super = node.SuperFrameTotals();
        ControlEndpoint.Counter(text, "groupvpn_super_frames_sealed_total", "Super-frames sealed and sent on the current links (one AEAD message each).", super.Sent);
        ControlEndpoint.Counter(text, "groupvpn_super_frames_opened_total", "Super-frames reassembled and opened on the current links.", super.Received);
        ControlEndpoint.Counter(text, "groupvpn_super_frames_incomplete_total", "Incomplete super-frames dropped for a newer one (a chunk was lost), current links.", super.Incomplete);
        ControlEndpoint.Counter(text, "groupvpn_super_chunks_malformed_total", "Super-frame chunks dropped as malformed, current links.", super.MalformedChunks);
        ControlEndpoint.Counter(text, "groupvpn_super_chunks_duplicate_total", "Super-frame chunks dropped as duplicates, current links.", super.DuplicateChunks);
        ControlEndpoint.Counter(text, "groupvpn_super_chunks_stale_total", "Super-frame chunks dropped as replayed or too old, current links.", super.StaleChunks);
        ControlEndpoint.Counter(text, "groupvpn_tap_dropped_reads_total", "Frames read from the TAP and dropped (malformed offload header, too long).", tap.DroppedReads);
        ControlEndpoint.Counter(text, "groupvpn_tap_dropped_writes_total", "Frames the TAP refused (its queue to the host was full).", tap.DroppedWrites);
        long sendDrops = 0, sendWaits = 0, receiveDrops = 0, sendErrors = 0;
        foreach (UdpEdgeListener udp in listeners.OfType<UdpEdgeListener>())
        {
            sendDrops += udp.SendQueueDrops;
            sendWaits += udp.SendQueueWaits;
            receiveDrops += udp.ReceiveDrops;
            sendErrors += udp.SendErrors;
        }
        ControlEndpoint.Counter(text, "groupvpn_udp_send_queue_drops_total", "Datagrams refused by a full UDP send queue (after waiting, for the TAP reader).", sendDrops);
        ControlEndpoint.Counter(text, "groupvpn_udp_send_queue_waits_total", "Datagrams that found the UDP send queue full and waited for room.", sendWaits);
        ControlEndpoint.Counter(text, "groupvpn_udp_send_errors_total", "UDP sends that failed in the kernel.", sendErrors);
        ControlEndpoint.Counter(text, "groupvpn_udp_receive_drops_total", "Received datagrams dropped (empty, too long, closed edge).", receiveDrops);
    }
}
