using System.Text.Json;
using System.Text.RegularExpressions;
using Brunet.Control;
using Brunet.Tools.Crawler;

namespace Tools.Tests.Crawler;

public sealed class CrawlReportTests
{
    // CONTRACT.md, "The crawler's output": exactly these 12 lines in this order.
    private static readonly string[] s_linePatterns =
    [
        @"^Total Nodes: \d+$",
        @"^Consistent Nodes: \d+$",
        @"^Consistency: (1\.0|0\.0|0\.\d+)$",
        @"^Connections: \d+$",
        @"^SecurityAssociations: \d+$",
        @"^WrappedEdges: 0$",
        @"^Edges: \d+$",
        @"^RelayEdges: \d+$",
        @"^SubringEdges: 0$",
        @"^TcpEdges: \d+$",
        @"^UdpEdges: \d+$",
        @"^Crawl took: \d+\.\d+$",
    ];

    private static readonly string[] s_jsonKeys =
    [
        "total_nodes", "consistent_nodes", "consistency", "connections", "security_associations", "wrapped_edges",
        "edges", "relay_edges", "subring_edges", "tcp_edges", "udp_edges", "crawl_seconds", "nodes", "unreachable", "inconsistent",
    ];

    [TestCase(16, false)]
    [TestCase(16, true)]
    [TestCase(1000, false)]
    public void ToText_AnyRing_TwelveLinesInContractOrder(int count, bool oneLiar)
    {
        CrawlReport report = Report(count, oneLiar);

        string text = report.ToText();
        string[] lines = text.TrimEnd('\n').Split('\n');

        Assert.That(text, Does.EndWith("\n"));
        Assert.That(lines, Has.Length.EqualTo(12), text);
        for (int i = 0; i < 12; i++)
        {
            Assert.That(Regex.IsMatch(lines[i], s_linePatterns[i]), Is.True, $"line {i + 1}: '{lines[i]}' does not match {s_linePatterns[i]}");
        }
        Assert.That(lines[0], Is.EqualTo($"Total Nodes: {count}"));
        Assert.That(lines[6], Is.EqualTo($"Edges: {report.Edges}"));
    }

    [TestCase(1.0, "1.0")]
    [TestCase(0.0, "0.0")]
    [TestCase(0.96875, "0.96875")]
    [TestCase(0.5, "0.5")]
    [TestCase(0.75, "0.75")]
    public void FormatConsistency_Value_PrintedAsBrunetDid(double value, string expected) =>
        Assert.That(CrawlReport.FormatConsistency(value), Is.EqualTo(expected));

    [Test]
    public void FormatSeconds_AnyValue_HasDecimals()
    {
        Assert.That(CrawlReport.FormatSeconds(2), Is.EqualTo("2.0"));
        Assert.That(CrawlReport.FormatSeconds(1.07016801834), Is.EqualTo("1.070168"));
    }

    [Test]
    public void ToJson_RingWithLiarAndSilentNode_ParsesWithEveryKey()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);
        ring[9] = ring[9] with { Left = [ring[3].Address, ring[9].Left[1]] };
        string silent = FakeRing.Build(17, seed: 99)[0].Address;
        var result = new CrawlResult(ring, [silent], TimeSpan.FromSeconds(1.5), false);
        CrawlReport report = CrawlReport.From(result);

        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;

        foreach (string key in s_jsonKeys)
        {
            Assert.That(root.TryGetProperty(key, out _), Is.True, $"key {key} is missing");
        }
        Assert.That(root.GetProperty("total_nodes").GetInt32(), Is.EqualTo(16));
        Assert.That(root.GetProperty("consistency").GetDouble(), Is.EqualTo(report.Consistency));
        Assert.That(root.GetProperty("edges").GetInt32(), Is.EqualTo(ring.Sum(n => n.Edges.Count)));
        Assert.That(root.GetProperty("crawl_seconds").GetDouble(), Is.EqualTo(1.5));
        Assert.That(root.GetProperty("unreachable").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { silent }));
        Assert.That(root.GetProperty("inconsistent").EnumerateArray().Select(e => e.GetString()), Does.Contain(ring[9].Address));

        JsonElement[] nodes = [.. root.GetProperty("nodes").EnumerateArray()];
        Assert.That(nodes, Has.Length.EqualTo(16));
        JsonElement first = nodes.Single(n => n.GetProperty("address").GetString() == ring[2].Address);
        Assert.That(first.GetProperty("left").GetString(), Is.EqualTo(ring[1].Address));
        Assert.That(first.GetProperty("right").GetString(), Is.EqualTo(ring[3].Address));
        Assert.That(first.GetProperty("virtual_ip").GetString(), Is.EqualTo(ring[2].VirtualIp));
        JsonElement link = first.GetProperty("connections")[3];
        Assert.That(link.GetProperty("address").GetString(), Is.EqualTo(ring[0].Address));
        Assert.That(link.GetProperty("type").GetString(), Is.EqualTo("near+leaf"));
        JsonElement edge = first.GetProperty("edges")[0];
        Assert.That(edge.GetProperty("kind").GetString(), Is.AnyOf("udp", "tcp", "relay"));
        Assert.That(edge.GetProperty("remote").GetString(), Does.StartWith("brunet."));
        Assert.That(nodes[1].GetProperty("virtual_ip").ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.String));
    }

    [Test]
    public void ToJson_PlusInTypeNames_NotEscaped() =>
        Assert.That(Report(16, false).ToJson(), Does.Contain("\"near+leaf\""));

    private static CrawlReport Report(int count, bool oneLiar)
    {
        List<LinkStatusJson> ring = FakeRing.Build(count);
        if (oneLiar)
        {
            ring[1] = ring[1] with { Left = [ring[5].Address, ring[1].Left[1]] };
        }
        return CrawlReport.From(new CrawlResult(ring, [], TimeSpan.FromMilliseconds(1234.5), false));
    }
}
