using System.Xml.Linq;
using Brunet.Control;
using Brunet.Tools.Crawler;

namespace Tools.Tests.Crawler;

public sealed class SvgRingTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    [TestCase(16)]
    [TestCase(1000)]
    public void Render_AnyRing_WellFormedWithOneMarkPerNode(int count)
    {
        List<LinkStatusJson> ring = FakeRing.Build(count);

        XDocument svg = XDocument.Parse(SvgRing.Render(Report(ring)));

        Assert.That(svg.Root!.Name, Is.EqualTo(s_svg + "svg"));
        List<XElement> marks = [.. svg.Descendants(s_svg + "circle").Where(HasClass("node"))];
        Assert.That(marks, Has.Count.EqualTo(count));
        Assert.That(marks.Select(m => m.Element(s_svg + "title")!.Value.Split(' ')[0].TrimEnd(':')), Is.EquivalentTo(ring.Select(n => n.Address)), "each node's mark names it on hover");
        Assert.That(svg.Descendants(s_svg + "line").Count(), Is.GreaterThan(count), "links are drawn");
        Assert.That(svg.Descendants(s_svg + "g").Where(HasClass("legend")).Count(), Is.EqualTo(1));
    }

    [Test]
    public void Render_SmallRing_LabelsNodesByVirtualIpElseAddressPrefix()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);

        XDocument svg = XDocument.Parse(SvgRing.Render(Report(ring)));

        List<string> labels = [.. svg.Descendants(s_svg + "text").Where(HasClass("label")).Select(t => t.Value)];
        Assert.That(labels, Has.Count.EqualTo(16));
        Assert.That(labels, Does.Contain(ring[0].VirtualIp));
        Assert.That(labels, Does.Contain(ring[1].Address["brunet:node:".Length..][..8]));
    }

    [Test]
    public void Render_LargeRing_NoTextLabelsOnNodes()
    {
        XDocument svg = XDocument.Parse(SvgRing.Render(Report(FakeRing.Build(1000))));

        Assert.That(svg.Descendants(s_svg + "text").Where(HasClass("label")), Is.Empty);
    }

    [Test]
    public void Render_InconsistentNode_MarkedRed()
    {
        List<LinkStatusJson> ring = FakeRing.Build(16);
        ring[9] = ring[9] with { Left = [ring[3].Address, ring[9].Left[1]] };
        CrawlReport report = Report(ring);

        XDocument svg = XDocument.Parse(SvgRing.Render(report));

        List<XElement> bad = [.. svg.Descendants(s_svg + "circle").Where(HasClass("inconsistent"))];
        Assert.That(bad, Has.Count.EqualTo(report.Inconsistent.Count));
        Assert.That(bad.Select(b => b.Element(s_svg + "title")!.Value), Has.Some.StartWith(ring[9].Address));
        Assert.That(svg.Descendants(s_svg + "style").Single().Value, Does.Contain(".node.inconsistent{fill:#d00"));
    }

    [TestCase("near", "udp", "near")]
    [TestCase("near+shortcut", "udp", "near")]
    [TestCase("shortcut", "tcp", "shortcut")]
    [TestCase("ondemand", "udp", "ondemand")]
    [TestCase("leaf", "udp", "leaf")]
    [TestCase("shortcut", "relay", "leaf")]
    public void Category_LinkTypeAndKind_ColourGroup(string type, string kind, string expected) =>
        Assert.That(SvgRing.Category(new ConnectionJson("brunet:node:A", type, kind, "")), Is.EqualTo(expected));

    private static Func<XElement, bool> HasClass(string name) =>
        e => ((string?)e.Attribute("class"))?.Split(' ').Contains(name) == true;

    private static CrawlReport Report(List<LinkStatusJson> ring) =>
        CrawlReport.From(new CrawlResult(ring, [], TimeSpan.FromSeconds(1), false));
}
