using System.Globalization;
using System.Xml.Linq;
using Brunet.Addressing;
using Brunet.Control;

namespace Brunet.Tools.Crawler;

/// <summary>
/// Draws a crawl as a ring: each node a dot at its address's angle (address / 2^160, clockwise from the top),
/// each link a chord coloured by type, inconsistent nodes circled red. Readable at 1,000 nodes: small dots, thin
/// semi-transparent chords, labels only up to <see cref="LabelLimit"/> nodes (always in a hover &lt;title&gt;).
/// </summary>
internal static class SvgRing
{
    public const int LabelLimit = 64;

    private const double Size = 1000;
    private const double Centre = Size / 2;
    private const double Radius = 400;

    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    // Colour-blind-safe colours (Okabe-Ito) per link category, in legend order.
    private static readonly (string Category, string Label, string Colour)[] s_categories =
    [
        ("near", "near (ring neighbour)", "#0072B2"),
        ("shortcut", "shortcut", "#E69F00"),
        ("ondemand", "on-demand", "#009E73"),
        ("leaf", "leaf / relay", "#CC79A7"),
    ];

    public static string Render(CrawlReport report)
    {
        IReadOnlyList<LinkStatusJson> nodes = report.Result.Nodes;
        var inconsistent = new HashSet<string>(report.Inconsistent, StringComparer.Ordinal);
        var positions = new Dictionary<string, (double X, double Y, double Angle)>(StringComparer.Ordinal);
        foreach (LinkStatusJson node in nodes)
        {
            double fraction = Address.TryParse(node.Address, out Address address) ? address.ToUnitFraction() : 0;
            double angle = (2 * Math.PI * fraction) - (Math.PI / 2);
            positions[node.Address] = (Centre + (Radius * Math.Cos(angle)), Centre + (Radius * Math.Sin(angle)), angle);
        }

        int count = nodes.Count;
        double dot = count <= LabelLimit ? 6 : count <= 300 ? 3.5 : 2.2;
        double chord = count <= LabelLimit ? 1.2 : count <= 300 ? 0.7 : 0.4;
        var svg = new XElement(s_svg + "svg",
            new XAttribute("width", Size), new XAttribute("height", Size),
            new XAttribute("viewBox", $"0 0 {N(Size)} {N(Size)}"),
            new XElement(s_svg + "title", $"Brunet overlay: {count} nodes, consistency {CrawlReport.FormatConsistency(report.Consistency)}"),
            new XElement(s_svg + "style", Style(dot, chord)),
            new XElement(s_svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")),
            new XElement(s_svg + "circle", new XAttribute("class", "ring"),
                new XAttribute("cx", N(Centre)), new XAttribute("cy", N(Centre)), new XAttribute("r", N(Radius))));

        // Chords first so the dots sit on top. A link both ends report is drawn once.
        var groups = s_categories.ToDictionary(c => c.Category, c => new XElement(s_svg + "g", new XAttribute("class", $"links {c.Category}")));
        var drawn = new HashSet<(string, string)>();
        foreach (LinkStatusJson node in nodes)
        {
            foreach (ConnectionJson link in node.Connections)
            {
                if (!positions.TryGetValue(link.Address, out var to))
                {
                    continue;
                }
                (string, string) pair = string.CompareOrdinal(node.Address, link.Address) < 0 ? (node.Address, link.Address) : (link.Address, node.Address);
                if (!drawn.Add(pair))
                {
                    continue;
                }
                var from = positions[node.Address];
                groups[Category(link)].Add(new XElement(s_svg + "line",
                    new XAttribute("x1", N(from.X)), new XAttribute("y1", N(from.Y)),
                    new XAttribute("x2", N(to.X)), new XAttribute("y2", N(to.Y))));
            }
        }
        foreach (XElement group in groups.Values)
        {
            svg.Add(group);
        }

        var dots = new XElement(s_svg + "g", new XAttribute("class", "nodes"));
        foreach (LinkStatusJson node in nodes)
        {
            var (x, y, angle) = positions[node.Address];
            string label = Label(node);
            bool bad = inconsistent.Contains(node.Address);
            dots.Add(new XElement(s_svg + "circle",
                new XAttribute("class", bad ? "node inconsistent" : "node"),
                new XAttribute("cx", N(x)), new XAttribute("cy", N(y)), new XAttribute("r", N(dot)),
                new XElement(s_svg + "title",
                    $"{node.Address}{(node.VirtualIp is { } ip ? $" ({ip})" : "")}: {node.Connections.Count} links, {node.Edges.Count} edges{(bad ? ", INCONSISTENT" : "")}")));
            if (count <= LabelLimit)
            {
                double lx = Centre + ((Radius + 14) * Math.Cos(angle));
                double ly = Centre + ((Radius + 14) * Math.Sin(angle));
                dots.Add(new XElement(s_svg + "text",
                    new XAttribute("class", "label"),
                    new XAttribute("x", N(lx)), new XAttribute("y", N(ly)),
                    new XAttribute("text-anchor", Math.Cos(angle) >= 0 ? "start" : "end"),
                    label));
            }
        }
        svg.Add(dots);
        svg.Add(Legend(report));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), svg).Declaration + "\n" + svg.ToString(SaveOptions.None) + "\n";
    }

    /// <summary>The virtual IP when the node has one, else the first 8 base32 characters of its address.</summary>
    public static string Label(LinkStatusJson node)
    {
        if (!string.IsNullOrEmpty(node.VirtualIp))
        {
            return node.VirtualIp;
        }
        string body = node.Address.StartsWith(Address.TextPrefix, StringComparison.Ordinal) ? node.Address[Address.TextPrefix.Length..] : node.Address;
        return body.Length > 8 ? body[..8] : body;
    }

    /// <summary>The category a link is drawn in: relayed links with leaves; otherwise near before shortcut before on-demand.</summary>
    public static string Category(ConnectionJson link)
    {
        if (link.Kind == "relay")
        {
            return "leaf";
        }
        string[] types = link.Type.Split('+');
        foreach (string category in (string[])["near", "shortcut", "ondemand"])
        {
            if (types.Contains(category))
            {
                return category;
            }
        }
        return "leaf";
    }

    private static string Style(double dot, double chord)
    {
        var css = new System.Text.StringBuilder();
        css.Append("text{font-family:sans-serif;font-size:11px;fill:#333}");
        css.Append(".ring{fill:none;stroke:#ddd;stroke-width:1}");
        css.Append(".links line{stroke-width:").Append(N(chord)).Append(";stroke-opacity:0.45}");
        foreach (var (category, _, colour) in s_categories)
        {
            css.Append(".links.").Append(category).Append(" line{stroke:").Append(colour).Append('}');
        }
        css.Append(".node{fill:#222;stroke:white;stroke-width:").Append(N(dot / 4)).Append('}');
        css.Append(".node.inconsistent{fill:#d00;stroke:#d00;stroke-width:").Append(N(Math.Max(1.5, dot / 1.5))).Append(";stroke-opacity:0.6}");
        css.Append(".node:hover{stroke:#000}");
        return css.ToString();
    }

    private static XElement Legend(CrawlReport report)
    {
        var legend = new XElement(s_svg + "g", new XAttribute("class", "legend"));
        double y = 20;
        legend.Add(new XElement(s_svg + "text", new XAttribute("x", 12), new XAttribute("y", N(y)),
            $"{report.TotalNodes} nodes, consistency {CrawlReport.FormatConsistency(report.Consistency)}, {report.Connections} connections, {report.Edges} edges"));
        foreach (var (category, label, colour) in s_categories)
        {
            y += 18;
            legend.Add(new XElement(s_svg + "line", new XAttribute("x1", 12), new XAttribute("y1", N(y - 4)),
                new XAttribute("x2", 36), new XAttribute("y2", N(y - 4)), new XAttribute("stroke", colour), new XAttribute("stroke-width", 3)));
            legend.Add(new XElement(s_svg + "text", new XAttribute("x", 42), new XAttribute("y", N(y)), label));
        }
        y += 18;
        legend.Add(new XElement(s_svg + "circle", new XAttribute("cx", 24), new XAttribute("cy", N(y - 4)), new XAttribute("r", 5),
            new XAttribute("fill", "#d00"), new XAttribute("stroke", "#d00"), new XAttribute("stroke-opacity", "0.6"), new XAttribute("stroke-width", 3)));
        legend.Add(new XElement(s_svg + "text", new XAttribute("x", 42), new XAttribute("y", N(y)),
            $"inconsistent node ({report.TotalNodes - report.ConsistentNodes})"));
        if (report.Result.Unreachable.Count > 0)
        {
            y += 18;
            legend.Add(new XElement(s_svg + "text", new XAttribute("x", 12), new XAttribute("y", N(y)),
                $"{report.Result.Unreachable.Count} nodes did not answer (not drawn)"));
        }
        return legend;
    }

    private static string N(double value) => Math.Round(value, 2).ToString(CultureInfo.InvariantCulture);
}
