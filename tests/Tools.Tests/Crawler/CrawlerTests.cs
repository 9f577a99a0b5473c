using Brunet.Control;
using Brunet.Tools;
using Brunet.Tools.Crawler;
using CrawlerEngine = Brunet.Tools.Crawler.Crawler;

namespace Tools.Tests.Crawler;

public sealed class CrawlerTests
{
    [Test]
    public async Task CrawlAsync_ConsistentRing_ReportsEveryNodeAndConsistencyOne()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);
        var source = new FakeLinkStatusSource(ring, localIndex: 5);

        CrawlResult result = await new CrawlerEngine(source, TimeProvider.System).CrawlAsync();
        CrawlReport report = CrawlReport.From(result);

        Assert.That(result.Unreachable, Is.Empty);
        Assert.That(result.TimedOut, Is.False);
        Assert.That(report.TotalNodes, Is.EqualTo(16));
        Assert.That(report.ConsistentNodes, Is.EqualTo(16));
        Assert.That(report.Consistency, Is.EqualTo(1.0));
        Assert.That(report.Inconsistent, Is.Empty);
        Assert.That(result.Nodes.Select(n => n.Address), Is.EquivalentTo(ring.Select(n => n.Address)));
        Assert.That(source.Asked.Count(a => a is not null), Is.EqualTo(15), "every other node asked exactly once");
    }

    [Test]
    public async Task CrawlAsync_ConsistentRing_FiguresAreSumsOfTheNodesOwnReports()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16, seed: 7);

        CrawlReport report = CrawlReport.From(await new CrawlerEngine(new FakeLinkStatusSource(ring), TimeProvider.System).CrawlAsync());

        Assert.That(report.Connections, Is.EqualTo(ring.Sum(n => n.Connections.Count)));
        Assert.That(report.SecurityAssociations, Is.EqualTo(ring.Sum(n => n.SecurityAssociations)));
        Assert.That(report.Edges, Is.EqualTo(ring.Sum(n => n.Edges.Count)));
        Assert.That(report.UdpEdges, Is.EqualTo(ring.Sum(n => n.Edges.Count(e => e.Kind == "udp"))));
        Assert.That(report.TcpEdges, Is.EqualTo(ring.Sum(n => n.Edges.Count(e => e.Kind == "tcp"))));
        Assert.That(report.RelayEdges, Is.EqualTo(ring.Sum(n => n.Edges.Count(e => e.Kind == "relay"))));
        Assert.That(report.RelayEdges, Is.GreaterThan(0), "the fake ring has relay edges, so the sum is tested");
        Assert.That(report.UdpEdges + report.TcpEdges + report.RelayEdges, Is.EqualTo(report.Edges));
    }

    [Test]
    public async Task CrawlAsync_NodeLiesAboutLeftNeighbour_ConsistencyBelowOneAndNodeNamed()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);
        LinkStatusJson liar = ring[9];
        ring[9] = liar with { Left = [ring[3].Address, liar.Left[1]] };

        CrawlReport report = CrawlReport.From(await new CrawlerEngine(new FakeLinkStatusSource(ring), TimeProvider.System).CrawlAsync());

        Assert.That(report.TotalNodes, Is.EqualTo(16));
        Assert.That(report.Consistency, Is.LessThan(1.0));
        Assert.That(report.ConsistentNodes, Is.LessThan(16));
        Assert.That(report.Inconsistent, Does.Contain(liar.Address));
        // Its true left neighbour's right.left check fails too; nobody else is affected.
        Assert.That(report.Inconsistent, Is.EquivalentTo(new[] { liar.Address, ring[8].Address }));
        Assert.That(report.Consistency, Is.EqualTo(((16 * 4) - 2) / 64.0));
        Assert.That(report.ToText(), Does.Contain("Consistency: 0.96875\n"));
    }

    [Test]
    public async Task CrawlAsync_SilentNodes_ReportedUnreachableAndFiguresCoverTheRest()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);
        var source = new FakeLinkStatusSource(ring);
        source.Silent.Add(ring[4].Address);
        source.Silent.Add(ring[11].Address);

        CrawlResult result = await new CrawlerEngine(source, TimeProvider.System).CrawlAsync();
        CrawlReport report = CrawlReport.From(result);

        Assert.That(result.Unreachable, Is.EquivalentTo(new[] { ring[4].Address, ring[11].Address }));
        Assert.That(report.TotalNodes, Is.EqualTo(14));
        Assert.That(report.Edges, Is.EqualTo(ring.Where((_, i) => i is not 4 and not 11).Sum(n => n.Edges.Count)));
        Assert.That(report.Consistency, Is.LessThan(1.0), "the silent nodes' neighbours cannot be checked against them");
    }

    [Test]
    public async Task CrawlAsync_ManyNodes_NeverMoreThanConcurrencyInFlight()
    {
        List<LinkStatusJson> ring = FakeRing.Build(300);
        var source = new FakeLinkStatusSource(ring);

        CrawlResult result = await new CrawlerEngine(source, TimeProvider.System) { Concurrency = 8 }.CrawlAsync();

        Assert.That(result.Nodes, Has.Count.EqualTo(300));
        Assert.That(source.MaxInFlight, Is.LessThanOrEqualTo(8));
        Assert.That(source.MaxInFlight, Is.GreaterThan(1), "requests overlap");
    }

    [Test]
    public async Task CrawlAsync_HangingNode_StopsAtTimeLimitAndNamesIt()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);
        var source = new FakeLinkStatusSource(ring);
        source.Hanging.Add(ring[6].Address);

        CrawlResult result = await new CrawlerEngine(source, TimeProvider.System) { TimeLimit = TimeSpan.FromMilliseconds(300) }.CrawlAsync();

        Assert.That(result.TimedOut, Is.True);
        Assert.That(result.Unreachable, Does.Contain(ring[6].Address));
        Assert.That(result.Nodes, Has.Count.EqualTo(15));
        Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void CrawlAsync_LocalNodeSilent_ThrowsControlEndpointException()
    {
        List<LinkStatusJson> ring = FakeRing.Build(4);
        var source = new FakeLinkStatusSource(ring);
        source.Silent.Add(ring[0].Address);

        Assert.ThrowsAsync<ControlEndpointException>(() => new CrawlerEngine(source, TimeProvider.System).CrawlAsync());
    }

    [Test]
    public async Task CrawlAsync_LoneNodeWithoutNeighbours_OneNodeConsistencyZero()
    {
        LinkStatusJson alone = FakeRing.Build(1)[0] with { Right = [], Left = [], Connections = [], Edges = [], SecurityAssociations = 0 };

        CrawlReport report = CrawlReport.From(await new CrawlerEngine(new FakeLinkStatusSource([alone]), TimeProvider.System).CrawlAsync());

        Assert.That(report.TotalNodes, Is.EqualTo(1));
        Assert.That(report.Edges, Is.Zero);
        Assert.That(report.ToText(), Does.StartWith("Total Nodes: 1\nConsistent Nodes: 0\nConsistency: 0.0\n"));
    }
}
