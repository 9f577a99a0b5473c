using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Brunet.Addressing;
using Brunet.Control;
using Brunet.Linking;

namespace Brunet.Tools.Crawler;

/// <summary>
/// The figures of a crawl (CONTRACT.md, "The crawler's output"): Brunet's ring consistency over the nodes that
/// answered, and connections, security associations and edges summed over the nodes' own reports.
/// </summary>
internal sealed class CrawlReport
{
    private static readonly JsonSerializerOptions s_json = new(ControlEndpoint.Json)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // printed for people and jq, never embedded in HTML: keep '+' as is
    };

    private CrawlReport(CrawlResult result, RingConsistency.Result consistency)
    {
        Result = result;
        TotalNodes = result.Nodes.Count;
        ConsistentNodes = consistency.ConsistentNodes;
        Consistency = consistency.Consistency;
        Inconsistent = [.. consistency.Inconsistent.Select(a => a.ToString()).Order(StringComparer.Ordinal)];
        foreach (LinkStatusJson node in result.Nodes)
        {
            Connections += node.Connections.Count;
            SecurityAssociations += node.SecurityAssociations;
            Edges += node.Edges.Count;
            foreach (EdgeJson edge in node.Edges)
            {
                switch (edge.Kind)
                {
                    case "relay":
                        RelayEdges++;
                        break;
                    case "tcp":
                        TcpEdges++;
                        break;
                    case "udp":
                        UdpEdges++;
                        break;
                    default:
                        break;   // in-memory edges (tests) count only in Edges
                }
            }
        }
    }

    public CrawlResult Result { get; }

    public int TotalNodes { get; }

    public int ConsistentNodes { get; }

    /// <summary>Checks passed / (4 × TotalNodes), 0 for an empty crawl.</summary>
    public double Consistency { get; }

    public int Connections { get; }

    public int SecurityAssociations { get; }

    /// <summary>Always 0: Brunet's wrapped edges (edges inside edges) do not exist here; kept for its block.</summary>
    public int WrappedEdges => 0;

    public int Edges { get; }

    public int RelayEdges { get; }

    /// <summary>Always 0: there are no subrings; kept for Brunet's block.</summary>
    public int SubringEdges => 0;

    public int TcpEdges { get; }

    public int UdpEdges { get; }

    public double CrawlSeconds => Result.Elapsed.TotalSeconds;

    /// <summary>Addresses of the nodes failing any of the four checks.</summary>
    public IReadOnlyList<string> Inconsistent { get; }

    public static CrawlReport From(CrawlResult result)
    {
        var views = new Dictionary<Address, NeighbourView>();
        foreach (LinkStatusJson node in result.Nodes)
        {
            if (Address.TryParse(node.Address, out Address address))
            {
                views[address] = new NeighbourView(At(node.Right, 0), At(node.Right, 1), At(node.Left, 0), At(node.Left, 1));
            }
        }
        return new CrawlReport(result, RingConsistency.Check(views));

        static Address? At(IReadOnlyList<string> list, int index) =>
            index < list.Count && Address.TryParse(list[index], out Address a) ? a : null;
    }

    /// <summary>The 12-line block, each line ending in '\n'.</summary>
    public string ToText()
    {
        var text = new StringBuilder(256);
        Line("Total Nodes", TotalNodes);
        Line("Consistent Nodes", ConsistentNodes);
        text.Append("Consistency: ").Append(FormatConsistency(Consistency)).Append('\n');
        Line("Connections", Connections);
        Line("SecurityAssociations", SecurityAssociations);
        Line("WrappedEdges", WrappedEdges);
        Line("Edges", Edges);
        Line("RelayEdges", RelayEdges);
        Line("SubringEdges", SubringEdges);
        Line("TcpEdges", TcpEdges);
        Line("UdpEdges", UdpEdges);
        text.Append("Crawl took: ").Append(FormatSeconds(CrawlSeconds)).Append('\n');
        return text.ToString();

        void Line(string name, int value) =>
            text.Append(name).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>As Brunet's crawler printed it (a Python float): "1.0", "0.0", else the shortest exact decimal.</summary>
    public static string FormatConsistency(double value) => value == Math.Floor(value)
        ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("R", CultureInfo.InvariantCulture);

    public static string FormatSeconds(double seconds) => seconds.ToString("0.0#####", CultureInfo.InvariantCulture);

    public CrawlReportJson ToJsonModel() => new(
        TotalNodes, ConsistentNodes, Consistency, Connections, SecurityAssociations, WrappedEdges, Edges, RelayEdges,
        SubringEdges, TcpEdges, UdpEdges, Math.Round(CrawlSeconds, 6),
        [.. Result.Nodes.Select(n => new CrawlNodeJson(
            n.Address,
            n.Left.Count > 0 ? n.Left[0] : null,
            n.Right.Count > 0 ? n.Right[0] : null,
            [.. n.Connections.Select(c => new CrawlConnectionJson(c.Address, c.Type))],
            [.. n.Edges.Select(e => new CrawlEdgeJson(e.Kind, e.Remote))],
            n.VirtualIp))],
        Result.Unreachable,
        Inconsistent);

    /// <summary>One JSON object (indented), snake_case keys as CONTRACT.md lists them.</summary>
    public string ToJson() => JsonSerializer.Serialize(ToJsonModel(), s_json);
}
