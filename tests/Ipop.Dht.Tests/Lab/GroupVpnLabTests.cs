using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ipop.Dht.Tests.Tap;

namespace Ipop.Dht.Tests.Lab;

/// <summary>
/// The headline of issue C in real processes: a bootstrap process in one network namespace and three
/// <c>groupvpn run</c> hosts in three others (tests/lab/gv-lab.sh). Each host's own DHCP client (busybox udhcpc) takes
/// a lease, all pairs ping, the DHT maps each lease to its host, a restarted host gets its address back, and a
/// spoofed source address is dropped. Uses the built artifacts; builds nothing.
/// </summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public sealed partial class GroupVpnLabTests : GroupVpnLab
{
    protected override string DirectoryPrefix => "gvlab-";

    private const int BootControlPort = 10000;

    [Test]
    public void GroupVpn_ThreeHostsInNamespaces_LeasePingResolveRestartAndDropSpoofed()
    {
        // The overlay: a bootstrap process of 4 nodes.
        LabProcess boot = Spawn("boot", Namespace("boot"), "dotnet", BootstrapDll, Path.Combine(_dir, "boot", "boot.config"), "-n", "4");
        Assert.That(boot.WaitForOutput("node 0 joined", TimeSpan.FromSeconds(15)), Is.True, "the bootstrap node did not start");
        for (int i = 1; i < 4; i++)
        {
            Assert.That(boot.WaitForOutput($"node {i} joined", TimeSpan.FromSeconds(15)), Is.True, $"bootstrap node {i} did not join");
        }

        var addresses = new IPAddress[HostCount + 1];
        var nodes = new string[HostCount + 1];
        var leaseTimes = new List<double>();
        for (int i = 1; i <= HostCount; i++)
        {
            (addresses[i], double seconds) = StartHostAndLease(i);
            leaseTimes.Add(seconds);
            nodes[i] = NodeAddressOf(i);
            Assert.That(InRange(addresses[i]), Is.True, $"h{i} leased {addresses[i]}, outside 100.64.0.0/16");
        }
        Assert.That(addresses.Skip(1).Distinct().Count(), Is.EqualTo(HostCount), "two hosts got the same address: " + string.Join(", ", addresses.Skip(1)));
        TestContext.Out.WriteLine($"run -> lease: {string.Join(", ", leaseTimes.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture) + " s"))}");

        // Every pair pings; the first ping from h1 to h2 also times the direct edge.
        var firstPing = Stopwatch.StartNew();
        bool directBefore = HasConnection(1, nodes[2]);
        for (int from = 1; from <= HostCount; from++)
        {
            for (int to = 1; to <= HostCount; to++)
            {
                if (from == to)
                {
                    continue;
                }
                (int exit, string output) = Exec(from, "ping", "-c", "3", "-i", "0.2", "-W", "2", addresses[to].ToString());
                Assert.That(exit, Is.Zero, $"h{from} -> h{to} ({addresses[to]}): {output}");
                Assert.That(Received(output), Is.GreaterThanOrEqualTo(2), $"h{from} -> h{to}: {output}");
            }
        }
        double directSeconds = WaitForConnection(1, nodes[2], TimeSpan.FromSeconds(10), firstPing);
        TestContext.Out.WriteLine(directBefore
            ? "first ping -> direct edge: h1 and h2 were already linked (ring neighbours)"
            : $"first ping -> direct edge: {directSeconds:0.00} s");
        Assert.That(directSeconds, Is.GreaterThanOrEqualTo(0), "h1 never got a direct edge to h2");

        (_, string vpnPing) = Exec(1, "ping", "-c", "10", "-i", "0.05", "-W", "2", addresses[2].ToString());
        (_, string rawPing) = Exec(1, "ping", "-c", "10", "-i", "0.05", "-W", "2", "198.18.0.12");
        TestContext.Out.WriteLine($"ping RTT avg: VPN {AverageRtt(vpnPing)} ms, raw link {AverageRtt(rawPing)} ms");

        // The DHT maps each lease to its host's node address (what bget prints).
        for (int i = 1; i <= HostCount; i++)
        {
            string answer = HttpGet("boot", BootControlPort, $"/api/dht?key=dhcp:demo:{addresses[i]}");
            Assert.That(answer, Does.Contain($"\"value\":\"{nodes[i]}\""), $"dhcp:demo:{addresses[i]} should name h{i} ({nodes[i]}): {answer}");
        }

        // groupvpn status names the node, its virtual IP and lease, and its links with their RTT.
        (int statusExit, string statusOutput) = Exec(2, "dotnet", GroupVpnDll, "status", "--etc", Path.Combine(_dir, "h2"));
        Assert.That(statusExit, Is.Zero, statusOutput);
        Assert.That(statusOutput, Does.Contain($"Node: {nodes[2]}").And.Contain($"Virtual IP: {addresses[2]}, lease").And.Contain(" ms "), statusOutput);
        TestContext.Out.WriteLine(statusOutput);

        // Each host's name points at its address through the DHT (dns:<ns>:<host>), as the .ipop DNS answers.
        for (int i = 1; i <= HostCount; i++)
        {
            string answer = HttpGet("boot", BootControlPort, $"/api/dht?key=dns:demo:h{i}");
            Assert.That(answer, Does.Contain($"\"value\":\"{addresses[i]}\""), $"dns:demo:h{i} should hold {addresses[i]}: {answer}");
        }

        // The node answers DNS on the virtual gateway: h1's own resolver finds h2.ipop through the DHT.
        (int lookupExit, string lookup) = Exec(1, "busybox", "nslookup", "h2.ipop", "100.64.0.1");
        Assert.That(lookupExit == 0 && lookup.Contains(addresses[2].ToString(), StringComparison.Ordinal), Is.True,
            $"h1: nslookup h2.ipop at the virtual gateway: {lookup}");

        // A spoofed source (an address h1 does not lease) is dropped by h2, and counted.
        long droppedBefore = SpoofedDrops(2);
        Exec(1, "ip", "addr", "add", "100.64.250.250/32", "dev", "tapipop");
        (int spoofExit, string spoofOutput) = Exec(1, "ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", "100.64.250.250", addresses[2].ToString());
        Assert.That(spoofExit, Is.Not.Zero, "a ping from a spoofed source got a reply: " + spoofOutput);
        Assert.That(SpoofedDrops(2), Is.GreaterThan(droppedBefore), "h2 did not count the spoofed packets");

        // A restarted host gets the same address back.
        LabProcess h3 = _processes.Single(p => p.Name == "h3");
        LabProcess.Run(s_command, "kill", "-TERM", h3.Id.ToString(CultureInfo.InvariantCulture));
        Assert.That(h3.WaitForExit(TimeSpan.FromSeconds(15)), Is.True, "h3 did not stop on SIGTERM");
        (IPAddress again, double restartSeconds) = StartHostAndLease(3, "h3-restarted");
        TestContext.Out.WriteLine($"restart -> lease: {restartSeconds:0.00} s");
        Assert.That(again, Is.EqualTo(addresses[3]), "the restarted host got another address");
        // The restarted node rejoins the ring in a moment; until then packets to it have no route.
        var reachable = Stopwatch.StartNew();
        string afterRestart = "";
        bool answered = false;
        while (!answered && reachable.Elapsed < TimeSpan.FromSeconds(20))
        {
            (int exitAfter, afterRestart) = Exec(1, "ping", "-c", "1", "-W", "1", again.ToString());
            answered = exitAfter == 0;
        }
        Assert.That(answered, Is.True, "h1 -> restarted h3: " + afterRestart);
        TestContext.Out.WriteLine($"restart lease -> reachable from h1: {reachable.Elapsed.TotalSeconds:0.00} s");
    }

    private double WaitForConnection(int i, string peer, TimeSpan timeout, Stopwatch since)
    {
        while (since.Elapsed < timeout)
        {
            if (HasConnection(i, peer))
            {
                return since.Elapsed.TotalSeconds;
            }
            Thread.Sleep(50);
        }
        return -1;
    }

    private long SpoofedDrops(int i)
    {
        Match match = SpoofedMetric().Match(HttpGet($"h{i}", HostControlPort, "/metrics"));
        Assert.That(match.Success, Is.True, $"h{i}'s /metrics has no groupvpn_dropped_spoofed_total");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static bool InRange(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        return bytes.Length == 4 && bytes[0] == 100 && bytes[1] == 64;
    }

    private static string AverageRtt(string pingOutput)
    {
        Match match = RttLine().Match(pingOutput);
        return match.Success ? match.Groups[1].Value : "?";
    }

    [GeneratedRegex(@"(?m)^groupvpn_dropped_spoofed_total (\d+)")]
    private static partial Regex SpoofedMetric();

    [GeneratedRegex(@"rtt min/avg/max/mdev = [\d.]+/([\d.]+)/")]
    private static partial Regex RttLine();
}
