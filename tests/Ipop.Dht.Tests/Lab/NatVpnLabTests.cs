using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Ipop.Dht.Tests.Lab;

/// <summary>
/// GroupVPN hosts behind real NATs (tests/lab/nat/lab.sh: full cone, port-restricted cone, two symmetric NATs) with the
/// bootstrap on the simulated internet. Every pair pings over the VPN; the test prints per pair whether the overlay
/// link is direct or relayed. The two symmetric hosts can only meet through a relay edge, and a capture of everything
/// that crosses the simulated internet (so of the forwarder's traffic too) never shows their ping payload in clear,
/// while the same payload sent outside the VPN does show (the capture works).
/// </summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public sealed partial class NatVpnLabTests : GroupVpnLab
{
    private const int Hosts = 4;
    private static readonly string[] s_kinds = ["full:40001", "port", "sym", "sym"];

    /// <summary>The ping payload: 16 distinctive bytes, repeated by ping over the whole payload.</summary>
    private const string Pattern = "c0ffee5a17d00d4e6174566c61623f21";

    private readonly Dictionary<string, string> _namespaces = new(StringComparer.Ordinal);
    private string _labName = "";

    protected override string DirectoryPrefix => "nvvpn-";

    private string NatLabScript => Path.Combine(_root, "tests", "lab", "nat", "lab.sh");

    protected override string Namespace(string name) => _namespaces[name == "boot" ? "inet" : name];

    protected override void BuildLab()
    {
        if (!ToolExists("tcpdump"))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail("tcpdump is not installed (CI installs it).");
            }
            Assert.Ignore("tcpdump is not installed.");
        }
        _labName = "nv" + _suffix;
        (int exit, string output) = RunWithPrefix(["up", _labName, .. s_kinds]);
        Assert.That(exit, Is.Zero, $"lab.sh up: {output}");
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            if (f.Length == 5)
            {
                _namespaces[f[0]] = f[1];
            }
        }
        (exit, output) = LabProcess.Run(s_command, "bash", LabScript, "configs", _suffix, Hosts.ToString(CultureInfo.InvariantCulture), _dir);
        Assert.That(exit, Is.Zero, $"gv-lab.sh configs: {output}");
    }

    protected override void DestroyLab()
    {
        if (_labName.Length > 0)
        {
            RunWithPrefix("down", _labName);
        }
    }

    private (int ExitCode, string Output) RunWithPrefix(params string[] arguments) =>
        LabProcess.Run(s_command, "env", ["LAB_PREFIX=" + LabPrefix, "bash", NatLabScript, .. arguments]);

    /// <summary>lab.sh's namespace prefix: env LAB_PREFIX when set (so concurrent labs keep apart), else "nv".</summary>
    private static string LabPrefix => Environment.GetEnvironmentVariable("LAB_PREFIX") is { Length: > 0 } prefix ? prefix : "nv";

    [Test]
    public void NatVpn_EveryPairPings_SymmetricPairRelayed_RelaySeesOnlyCiphertext()
    {
        var clock = Stopwatch.StartNew();
        LabProcess boot = Spawn("boot", Namespace("boot"), "dotnet", BootstrapDll, Path.Combine(_dir, "boot", "boot.config"), "-n", "1");
        Assert.That(boot.WaitForOutput("node 0 joined", TimeSpan.FromSeconds(20)), Is.True, "the bootstrap node did not start");
        var addresses = new IPAddress[Hosts + 1];
        var nodes = new string[Hosts + 1];
        for (int i = 1; i <= Hosts; i++)
        {
            SpawnHost(i);
        }
        for (int i = 1; i <= Hosts; i++)
        {
            addresses[i] = Lease(i, clock);
            nodes[i] = NodeAddressOf(i);
        }
        TestContext.Out.WriteLine($"4 hosts leased after {clock.Elapsed.TotalSeconds:0.0} s");

        // Every pair pings over the VPN (through the overlay until an edge forms, then over it).
        var pairs = new List<(int A, int B)>();
        for (int a = 1; a <= Hosts; a++)
        {
            for (int b = a + 1; b <= Hosts; b++)
            {
                pairs.Add((a, b));
            }
        }
        var firstPing = new StringBuilder("first ping:");
        foreach ((int a, int b) in pairs)
        {
            var pairClock = Stopwatch.StartNew();
            // Generous: the two symmetric hosts are often ring neighbours, and until their relay edge forms (after
            // their direct link attempts time out, 20-30 s after they join) neither has a route to the other.
            Assert.That(PingUntil(a, addresses[b], TimeSpan.FromSeconds(40)), Is.True,
                $"h{a} ({Kind(a)}) -> h{b} ({Kind(b)}) over the VPN\n{Diagnose(a, nodes[b], addresses[b])}\n{Diagnose(b, nodes[a], addresses[a])}");
            firstPing.Append(CultureInfo.InvariantCulture, $" h{a}-h{b} {pairClock.Elapsed.TotalSeconds:0.0} s");
        }
        TestContext.Out.WriteLine(firstPing.ToString());

        // Let the links settle: cones and one symmetric NAT end direct (the birthday race), two symmetric NATs relayed.
        var link = new Dictionary<(int, int), string>();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach ((int a, int b) in pairs)
            {
                Exec(a, "ping", "-c", "1", "-W", "1", addresses[b].ToString());   // traffic keeps the on-demand link wanted
                link[(a, b)] = LinkKind(a, nodes[b]);
            }
            bool relayed = link[(3, 4)] == "relay";
            if (relayed && (deadline.Elapsed > TimeSpan.FromSeconds(20) || pairs.All(p => link[p] == (IsSymmetric(p.A) && IsSymmetric(p.B) ? "relay" : "udp"))))
            {
                break;
            }
            Thread.Sleep(500);
        }
        var table = new StringBuilder();
        foreach ((int a, int b) in pairs)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"h{a}-h{b} {Kind(a) + "-" + Kind(b),-10} {link[(a, b)]}");
        }
        TestContext.Out.WriteLine(table.ToString());
        Assert.That(link[(3, 4)], Is.EqualTo("relay"), $"the two symmetric hosts should be linked by a relay edge\n{table}");

        // The relayed pair's pings succeed, and their payload never crosses the internet in clear.
        string vpnCapture = Path.Combine(_dir, "vpn.pcap");
        LabProcess vpnDump = StartCapture(vpnCapture);
        (int exit, string output) = Exec(3, "ping", "-c", "5", "-i", "0.2", "-W", "2", "-s", "200", "-p", Pattern, addresses[4].ToString());
        StopCapture(vpnDump);
        Assert.That(Received(output), Is.GreaterThanOrEqualTo(4), $"h3 -> h4 over the relay: {output}");
        Assert.That(LinkKind(3, nodes[4]), Is.EqualTo("relay"), "the symmetric pair's link changed during the capture");
        int vpnPackets = PacketCount(vpnCapture);
        Assert.That(vpnPackets, Is.GreaterThanOrEqualTo(10),
            $"the capture saw too few packets to mean anything ({new FileInfo(vpnCapture).Length} bytes)\n{vpnDump.Output}\n{output}");
        Assert.That(ContainsPattern(vpnCapture), Is.False, "the ping payload crossed the internet in clear");

        // Control: the same payload outside the VPN is visible to the same capture.
        string rawCapture = Path.Combine(_dir, "raw.pcap");
        LabProcess rawDump = StartCapture(rawCapture);
        (exit, output) = Exec(3, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "200", "-p", Pattern, "198.18.0.1");
        StopCapture(rawDump);
        Assert.That(exit, Is.Zero, $"h3 -> 198.18.0.1 outside the VPN: {output}");
        Assert.That(ContainsPattern(rawCapture), Is.True,
            $"the capture did not see a payload sent in clear: it proves nothing\n{output}\n{rawDump.Output}\n{LabProcess.Run(s_command, "tcpdump", "-r", rawCapture, "-n").Output}");
        TestContext.Out.WriteLine($"relay capture: {vpnPackets} packets, no cleartext payload; total {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>What host <paramref name="from"/> knows of the way to a node, for a failure message.</summary>
    private string Diagnose(int from, string node, IPAddress ip) =>
        $"h{from}: ping {HttpGet($"h{from}", HostControlPort, "/api/ping?node=" + node)}\n"
        + $"h{from}: dht {HttpGet($"h{from}", HostControlPort, $"/api/dht?key=dhcp:demo:{ip}")}\n"
        + $"h{from}: links {HttpGet($"h{from}", HostControlPort, "/api/linkstatus")}\n"
        + string.Join('\n', HttpGet($"h{from}", HostControlPort, "/metrics").Split('\n')
            .Where(l => l.StartsWith("groupvpn_", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal)));

    private static string Kind(int host) => s_kinds[host - 1].Split(':')[0];

    private static bool IsSymmetric(int host) => Kind(host) == "sym";

    private bool PingUntil(int from, IPAddress to, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Exec(from, "ping", "-c", "1", "-W", "2", to.ToString()).ExitCode == 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The kind of host <paramref name="from"/>'s link to a node: udp, tcp, relay, or none.</summary>
    private string LinkKind(int from, string node)
    {
        Match match = LinkField().Match(HttpGet($"h{from}", HostControlPort, "/api/ping?node=" + node));
        return match.Success ? match.Groups[1].Value : "none";
    }

    /// <summary>tcpdump on the internet bridge: every packet between hosts, routers, bootstrap and forwarders.</summary>
    private LabProcess StartCapture(string file)
    {
        // Immediate mode: every packet reaches the file at once (else a block of the capture ring may still be unread
        // when tcpdump is stopped).
        LabProcess dump = Spawn("tcpdump", Namespace("boot"), "tcpdump", "-i", "br0", "-n", "--immediate-mode", "-U", "-s", "0", "-w", file);
        Assert.That(dump.WaitForOutput("listening on", TimeSpan.FromSeconds(10)), Is.True, $"tcpdump did not start: {dump.Output}");
        return dump;
    }

    private static void StopCapture(LabProcess dump)
    {
        Thread.Sleep(500);   // the last replies reach the capture
        LabProcess.Run(s_command, "kill", "-INT", dump.Id.ToString(CultureInfo.InvariantCulture));
        Assert.That(dump.WaitForExit(TimeSpan.FromSeconds(10)), Is.True, "tcpdump did not stop");
    }

    private static int PacketCount(string file)
    {
        (int exit, string output) = LabProcess.Run(s_command, "tcpdump", "-r", file, "-n");
        Assert.That(exit, Is.Zero, $"tcpdump -r {file}: {output}");
        return output.Split('\n').Count(l => l.Contains(" IP ", StringComparison.Ordinal));
    }

    /// <summary>True when two copies of the pattern appear back to back anywhere in the capture file.</summary>
    private static bool ContainsPattern(string file)
    {
        byte[] pattern = Convert.FromHexString(Pattern);
        return File.ReadAllBytes(file).AsSpan().IndexOf([.. pattern, .. pattern]) >= 0;
    }

    [GeneratedRegex("\"link\":\"([a-z]+)\"")]
    private static partial Regex LinkField();
}
