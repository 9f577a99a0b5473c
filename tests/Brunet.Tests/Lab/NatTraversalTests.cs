using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Brunet.Tests.Lab;

/// <summary>
/// Overlay nodes behind real NATs (nftables in network namespaces, tests/lab/nat/lab.sh): who links to whom directly,
/// how fast, and what happens when NATs forget or firewalls drop UDP.
/// </summary>
[Category("Root")]
[NonParallelizable]
public sealed class NatTraversalTests
{
    private static readonly TimeSpan s_linkTimeout = TimeSpan.FromSeconds(20);

    // A port-restricted cone and a symmetric NAT link directly only after a direct attempt timed out (10 s) and a
    // birthday race ran (up to about 7 s, tried again if it missed). A race can miss three times and back off; the
    // pair then talks over a relay edge, which retries a direct edge (with a new race) every RelayUpgradeInterval
    // (60 s). About one run in three ended relayed at a 40 s bound: the bound covers one upgrade interval.
    private static readonly TimeSpan s_birthdayTimeout = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan s_relayTimeout = TimeSpan.FromSeconds(105);

    [OneTimeSetUp]
    public void RequireRoot() => NatLab.RequireRoot();

    [Test]
    public void LinkGrid_EveryNatPair_ReachableAndDirectUnlessBothSymmetric()
    {
        using NatLab lab = NatLab.Up("full", "addr", "port", "sym", "sym");
        string[] hosts = ["pub", "h1", "h2", "h3", "h4", "h5"];
        var kind = new Dictionary<string, string> { ["pub"] = "public", ["h1"] = "full", ["h2"] = "addr", ["h3"] = "port", ["h4"] = "sym", ["h5"] = "sym" };
        Dictionary<string, string> address = StartRing(lab, hosts);

        var pairs = new List<(string A, string B)>();
        for (int i = 0; i < hosts.Length; i++)
        {
            for (int j = i + 1; j < hosts.Length; j++)
            {
                pairs.Add((hosts[i], hosts[j]));
            }
        }
        var results = pairs.AsParallel().WithDegreeOfParallelism(pairs.Count)
            .Select(p => (p.A, p.B, Result: LinkAndWait(lab, p.A, address[p.B],
                kind[p.A] == "sym" && kind[p.B] == "sym" ? s_linkTimeout : s_birthdayTimeout)))
            .ToList();

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"pair",-16} {"link",-6} {"to link",8} {"rtt",8}  remote");
        foreach ((string a, string b, LinkResult r) in results.OrderBy(r => r.A).ThenBy(r => r.B))
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"{kind[a] + "-" + kind[b],-16} {r.Link ?? "none",-6} {r.TimeToLink.TotalSeconds,7:F1}s {r.RttMs,7:F2}ms  {r.Remote}");
        }
        TestContext.Out.WriteLine(table.ToString());
        PrintLatency(lab, results.Where(r => r.Result.Link == "udp").Select(r => (r.A, address[r.B])).FirstOrDefault(), "direct udp");
        PrintLatency(lab, results.Where(r => r.Result.Link == "relay").Select(r => (r.A, address[r.B])).FirstOrDefault(), "relay");

        Assert.Multiple(() =>
        {
            foreach ((string a, string b, LinkResult r) in results)
            {
                string pair = $"{kind[a]}-{kind[b]}";
                // Every pair with at most one symmetric NAT ends up direct over UDP: cones punch by simultaneous open,
                // a symmetric NAT against a port-restricted cone by the birthday race (Brunet.Nat.BirthdayRace). Two
                // symmetric NATs cannot punch at all and go through a relay edge.
                string expected = kind[a] == "sym" && kind[b] == "sym" ? "relay" : "udp";
                Assert.That(r.PingOk, Is.True, $"{pair}: ping failed\n{table}");
                Assert.That(r.Link, Is.EqualTo(expected), $"{pair} should be {(expected == "udp" ? "direct UDP" : "relayed")}\n{table}");
            }
        });
    }

    /// <summary>Benchmark: the median of 20 sequential routed pings over one pair's link, so relay and direct compare.</summary>
    private static void PrintLatency(NatLab lab, (string From, string To) pair, string label)
    {
        if (pair.From is null)
        {
            return;
        }
        var rtts = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            if (Ping(lab, pair.From, pair.To, TimeSpan.Zero) is { PingOk: true } r)
            {
                rtts.Add(r.RttMs);
            }
        }
        rtts.Sort();
        string median = rtts.Count == 0 ? "-" : rtts[rtts.Count / 2].ToString("F3", CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"latency over {label} ({pair.From}): median {median} ms of {rtts.Count} pings");
    }

    private static Dictionary<string, string> StartRing(NatLab lab, string[] hosts)
    {
        lab.StartNode("inet", "198.18.0.1");
        var address = new Dictionary<string, string> { ["inet"] = lab.WaitForNode("inet", TimeSpan.FromSeconds(30)) };
        foreach (string host in hosts)
        {
            lab.StartNode(host, "198.18.0.1");
        }
        foreach (string host in hosts)
        {
            address[host] = lab.WaitForNode(host, TimeSpan.FromSeconds(30));
        }
        // Let the ring settle (near links, reflections) before asking for links.
        WaitUntil(TimeSpan.FromSeconds(20), () => hosts.All(h => lab.Api(h, "/api/linkstatus") is { } s && LinkCount(s) >= 2));
        return address;
    }

    private static int LinkCount(JsonElement status) =>
        status.TryGetProperty("links", out JsonElement links) && links.ValueKind == JsonValueKind.Array ? links.GetArrayLength() : 0;

    private static void WaitUntil(TimeSpan timeout, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !condition())
        {
            Thread.Sleep(500);
        }
    }

    internal sealed record LinkResult(bool PingOk, string? Link, string? Remote, TimeSpan TimeToLink, double RttMs);

    /// <summary>
    /// POST /api/link, then GET /api/ping until a direct link is named or <paramref name="directTimeout"/> (20 s) passes. A relay is the fallback that comes
    /// only after the direct attempts time out, so a pair with no link at 20 s gets up to 45 s to show one.
    /// </summary>
    internal static LinkResult LinkAndWait(NatLab lab, string from, string toAddress, TimeSpan? directTimeout = null)
    {
        TimeSpan waitDirect = directTimeout ?? s_linkTimeout;
        var clock = Stopwatch.StartNew();
        lab.Api(from, "/api/link?node=" + toAddress, post: true);
        LinkResult last = new(false, null, null, TimeSpan.Zero, 0);
        TimeSpan asked = TimeSpan.Zero;
        while (clock.Elapsed < waitDirect || (last.Link is null && clock.Elapsed < s_relayTimeout))
        {
            if (last.Link is null && clock.Elapsed - asked > TimeSpan.FromSeconds(5))
            {
                // Traffic keeps asking for the link, as VPN packets would.
                lab.Api(from, "/api/link?node=" + toAddress, post: true);
                asked = clock.Elapsed;
            }
            last = Ping(lab, from, toAddress, clock.Elapsed);
            if (last.PingOk && last.Link is "udp" or "tcp")
            {
                return last;
            }
            Thread.Sleep(250);
        }
        return last;
    }

    internal static LinkResult Ping(NatLab lab, string from, string toAddress, TimeSpan elapsed)
    {
        if (lab.Api(from, "/api/ping?node=" + toAddress) is not { } ping)
        {
            return new LinkResult(false, null, null, elapsed, 0);
        }
        bool ok = ping.TryGetProperty("ok", out JsonElement okElement) && okElement.ValueKind == JsonValueKind.True;
        string? link = ping.TryGetProperty("link", out JsonElement l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        string? remote = ping.TryGetProperty("link_remote", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        double rtt = ping.TryGetProperty("rtt_ms", out JsonElement t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : 0;
        return new LinkResult(ok, link, remote, elapsed, rtt);
    }
}
