using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Brunet.Control;
using Brunet.Linking;
using Brunet.Node;
using Brunet.Security;
using Brunet.Tools;
using Brunet.Tools.Crawler;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using CrawlerEngine = Brunet.Tools.Crawler.Crawler;

namespace Tools.Tests.Crawler;

/// <summary>16 real overlay nodes over UDP on loopback, crawled through a real control endpoint.</summary>
[NonParallelizable]
public sealed class LiveRingCrawlTests
{
    private const int Count = 16;

    [Test]
    public async Task Crawl_SixteenRealNodes_AllConsistentAndEdgesMatchNodesOwnReports()
    {
        var nodes = new List<OverlayNode>();
        ControlEndpoint? endpoint = null;
        try
        {
            StartRing(nodes, Count, "tools-test");
            endpoint = await ControlEndpoint.StartAsync(nodes[0], 0);
            var control = new ControlAddress("127.0.0.1", endpoint.Port);
            using var source = new HttpLinkStatusSource(control, TimeSpan.FromSeconds(2));
            var crawler = new CrawlerEngine(source, TimeProvider.System) { TimeLimit = TimeSpan.FromSeconds(10) };

            // Wait until the ring has formed and a crawl sees it whole; then the edge figures must equal the nodes'
            // own reports taken at the same moment (edges still change while shortcuts form, so compare until equal).
            var clock = Stopwatch.StartNew();
            CrawlReport? report = null;
            int ownEdges = -1, ownUdp = -1, ownConnections = -1;
            string last = "";
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                report = CrawlReport.From(await crawler.CrawlAsync());
                LinkStatus[] own = await Task.WhenAll(nodes.Select(n => n.InvokeAsync(n.GetLinkStatus)));
                ownEdges = own.Sum(s => s.Edges.Count);
                ownUdp = own.Sum(s => s.Edges.Count(e => e.Kind == TransportKind.Udp));
                ownConnections = own.Sum(s => s.Links.Count);
                last = $"{report.TotalNodes} nodes, consistency {report.Consistency}, {report.Result.Unreachable.Count} unreachable, edges {report.Edges} vs {ownEdges}";
                if (report.TotalNodes == Count && report.Consistency == 1.0 && report.Result.Unreachable.Count == 0
                    && report.Edges == ownEdges && report.UdpEdges == ownUdp && report.Connections == ownConnections)
                {
                    break;
                }
                await Task.Delay(250);
            }

            Assert.That(report, Is.Not.Null);
            Assert.That(report!.TotalNodes, Is.EqualTo(Count), last);
            Assert.That(report.ConsistentNodes, Is.EqualTo(Count), last);
            Assert.That(report.Consistency, Is.EqualTo(1.0), last);
            Assert.That(report.Edges, Is.EqualTo(ownEdges), last);
            Assert.That(report.UdpEdges, Is.EqualTo(ownUdp), last);
            Assert.That(report.Connections, Is.EqualTo(ownConnections), last);
            Assert.That(report.Result.Nodes.Select(n => n.Address), Is.EquivalentTo(nodes.Select(n => n.Address.ToString())));

            // The command itself, end to end: text block, JSON and picture.
            string svgPath = Path.Combine(Path.GetTempPath(), $"crawl-{Guid.NewGuid():N}.svg");
            try
            {
                (int exit, string text, string errors) = await CrawlCommandTests.RunAsync("--node", control.ToString(), "--svg", svgPath);
                Assert.That(exit, Is.Zero, errors);
                Assert.That(text, Does.StartWith($"Total Nodes: {Count}\nConsistent Nodes: {Count}\nConsistency: 1.0\n"));
                XDocument svg = XDocument.Load(svgPath);
                Assert.That(svg.Descendants().Count(e => e.Name.LocalName == "circle" && ((string?)e.Attribute("class"))?.Split(' ').Contains("node") == true), Is.EqualTo(Count));
            }
            finally
            {
                File.Delete(svgPath);
            }
            (int jsonExit, string json, string _) = await CrawlCommandTests.RunAsync("--node", control.ToString(), "--json");
            Assert.That(jsonExit, Is.Zero);
            using JsonDocument document = JsonDocument.Parse(json);
            Assert.That(document.RootElement.GetProperty("total_nodes").GetInt32(), Is.EqualTo(Count));
        }
        finally
        {
            if (endpoint is not null)
            {
                await endpoint.DisposeAsync();
            }
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Test]
    public async Task Crawl_RealNodeLiesAboutItsLeftNeighbour_ConsistencyBelowOneAndLiarNamed()
    {
        var nodes = new List<OverlayNode>();
        ControlEndpoint? endpoint = null;
        try
        {
            StartRing(nodes, 8, "tools-liar");
            endpoint = await ControlEndpoint.StartAsync(nodes[0], 0);
            var control = new ControlAddress("127.0.0.1", endpoint.Port);
            using var source = new HttpLinkStatusSource(control, TimeSpan.FromSeconds(2));
            var crawler = new CrawlerEngine(source, TimeProvider.System) { TimeLimit = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && CrawlReport.From(await crawler.CrawlAsync()).Consistency < 1.0)
            {
                await Task.Delay(250);
            }
            OverlayNode liar = nodes[3];
            liar.LieAboutLeft = nodes[5].Address == liar.Connections.Left(0)?.Peer ? nodes[6].Address : nodes[5].Address;

            (int exit, string json, string errors) = await CrawlCommandTests.RunAsync("--node", control.ToString(), "--json");
            Assert.That(exit, Is.Zero, errors);
            using JsonDocument document = JsonDocument.Parse(json);
            Assert.That(document.RootElement.GetProperty("consistency").GetDouble(), Is.LessThan(1.0), json);
            Assert.That(document.RootElement.GetProperty("inconsistent").EnumerateArray().Select(e => e.GetString()),
                Does.Contain(liar.Address.ToString()), json);
        }
        finally
        {
            if (endpoint is not null)
            {
                await endpoint.DisposeAsync();
            }
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Starts <paramref name="count"/> real nodes over UDP on loopback, all joining through the first.</summary>
    private static void StartRing(List<OverlayNode> nodes, int count, string ns)
    {
        for (int i = 0; i < count; i++)
        {
            var node = new OverlayNode(
                NodeIdentity.Generate(), ns,
                [new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0))],
                i == 0 ? [] : [nodes[0].TransportAddresses[0]],
                new SerialLoop(TimeProvider.System, NullLogger.Instance), NodeOptions.Fast, NullLogger.Instance);
            nodes.Add(node);
            node.Start();
        }
    }
}
