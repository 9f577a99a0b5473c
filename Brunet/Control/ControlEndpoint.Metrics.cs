using System.Globalization;
using System.Text;
using Brunet.Node;

namespace Brunet.Control;

/// <summary>Counters in Prometheus text format (issue E part 6).</summary>
public sealed partial class ControlEndpoint
{
    private async Task<string> MetricsAsync()
    {
        (int links, int edges) = await _node.InvokeAsync(() => (_node.Connections.Count, _node.EdgeCount)).ConfigureAwait(false);
        NodeCounters c = _node.Counters;
        var text = new StringBuilder(1024);
        Counter(text, "brunet_frames_received_total", "Frames received on secure edges.", c.FramesIn);
        Counter(text, "brunet_frames_sent_total", "Frames sent on secure edges.", c.FramesOut);
        Counter(text, "brunet_frames_forwarded_total", "Routed frames forwarded to another node.", c.Forwarded);
        Counter(text, "brunet_frames_delivered_total", "Frames delivered to this node.", c.Delivered);
        Counter(text, "brunet_frames_dropped_total", "Frames dropped (TTL, no route, queue full).", c.Dropped);
        Counter(text, "brunet_malformed_total", "Malformed frames dropped.", c.Malformed);
        Counter(text, "brunet_frames_sent_back_total", "RPC answers with no route to their requester, sent back the way the request came.", c.SentBack);
        Counter(text, "brunet_edges_opened_total", "Edges opened.", c.EdgesOpened);
        Counter(text, "brunet_edges_closed_total", "Edges closed.", c.EdgesClosed);
        Counter(text, "brunet_links_up_total", "Links made.", c.LinksUp);
        Counter(text, "brunet_links_down_total", "Links lost.", c.LinksDown);
        Counter(text, "brunet_bytes_received_total", "Plaintext bytes of frames received on secure edges.", c.BytesIn);
        Counter(text, "brunet_bytes_sent_total", "Plaintext bytes of frames sent on secure edges.", c.BytesOut);
        Counter(text, "brunet_handshakes_failed_total", "Edges closed before their handshake finished.", c.HandshakesFailed);
        Counter(text, "brunet_rpc_served_total", "RPC requests served.", _node.Rpc.RequestsServed);
        Counter(text, "brunet_rpc_malformed_total", "Malformed RPC messages dropped.", _node.Rpc.Malformed);
        Counter(text, "brunet_relayed_bytes_total", "Bytes forwarded for others over relay edges.", _node.RelayedBytes);
        Dht?.WriteMetrics(text);
        Gauge(text, "brunet_links", "Links now.", links);
        Gauge(text, "brunet_edges", "Edges now.", edges);
        if (ExtraMetrics is { } extra)
        {
            text.Append(extra());
        }
        return text.ToString();
    }

    public static void Counter(StringBuilder text, string name, string help, long value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" counter\n");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public static void Gauge(StringBuilder text, string name, string help, double value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
