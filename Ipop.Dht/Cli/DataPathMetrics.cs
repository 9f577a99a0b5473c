using System.Text;
using Brunet.Control;
using Brunet.Transport;
using Ipop.Dht.Tap;

namespace Ipop.Dht.Cli;

/// <summary>The drop counters of the data path's devices (TAP and UDP listeners), for <c>/metrics</c>.</summary>
internal static class DataPathMetrics
{
    public static void Write(StringBuilder text, TapDevice tap, IEnumerable<IEdgeListener> listeners)
    {
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
