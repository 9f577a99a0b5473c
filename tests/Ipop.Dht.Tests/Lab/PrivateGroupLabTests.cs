using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ipop.Dhcp.Leases;
using Ipop.Dht.Tests.Tap;

namespace Ipop.Dht.Tests.Lab;

/// <summary>
/// Issue C's private group in real processes (tests/lab/gv-lab.sh, <c>configs ... private</c>): a group authority made
/// with <c>groupvpn ca init</c> signs two members, which lease and ping each other over the VPN. A node without a
/// certificate (a bootstrap node) that wrote lease records first with <c>bput --create</c> neither keeps a member from
/// taking that address (or its host name) nor holds one that members resolve. A host whose certificate comes from another authority of
/// the same group name cannot start with the group's ca.crt (exit 2, no TAP, so no lease); run as a look-alike group
/// with its own ca.crt it cannot reach members, nor members it, and the member counts the dropped packets. Uses the
/// built artifacts; builds nothing.
/// </summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public sealed partial class PrivateGroupLabTests : GroupVpnLab
{
    protected override string DirectoryPrefix => "gvpriv-";

    protected override string[] ConfigMode => ["private"];

    private const int BootControlPort = 10000;

    /// <summary>The group is named after the IpopNamespace (gv-lab.sh's "demo"), so members' leases displace outsiders' records.</summary>
    private const string GroupName = "demo";

    private static readonly IPAddress s_squattedForMember = IPAddress.Parse("100.64.9.9");
    private static readonly IPAddress s_squattedKept = IPAddress.Parse("100.64.9.10");

    [Test]
    public void PrivateGroup_MembersAndOutsiders_MembersPingOutsidersGetNoLeaseOrNoReach()
    {
        var total = Stopwatch.StartNew();
        // The group's authority signs h1 and h2 into their etc folders (node.key, node.crt, ca.crt there).
        string groupCa = Path.Combine(_dir, "ca-group");
        string otherCa = Path.Combine(_dir, "ca-other");
        Ca("init", "--out", groupCa, "--name", GroupName);
        Ca("init", "--out", otherCa, "--name", GroupName);     // another authority, the same group name
        Ca("sign", "--ca", groupCa, "--name", "h1", "--out", HostDir(1));
        Ca("sign", "--ca", groupCa, "--name", "h2", "--out", HostDir(2));

        LabProcess boot = Spawn("boot", Namespace("boot"), "dotnet", BootstrapDll, Path.Combine(_dir, "boot", "boot.config"), "-n", "4");
        for (int i = 0; i < 4; i++)
        {
            Assert.That(boot.WaitForOutput($"node {i} joined", TimeSpan.FromSeconds(15)), Is.True, $"bootstrap node {i} did not join");
        }

        // 0. An outsider squats: bootstrap node 0, which holds no certificate, creates leases of two addresses (its
        // own node address as the value, as a real lease) before any member runs.
        string outsider = BootNodeAddress();
        foreach (IPAddress squatted in new[] { s_squattedForMember, s_squattedKept })
        {
            (int putExit, string put) = Bput(LeaseKey(squatted), outsider);
            Assert.That(putExit, Is.Zero, $"the outsider's bput --create of {squatted}: {put}");
            Assert.That(DhtAnswer(LeaseKey(squatted)), Does.Contain(outsider), $"the outsider's record of {squatted} is not in the DHT");
        }
        // It also claims h2's host name, pointing it at the address it keeps.
        (int nameExit, string name) = Bput($"dns:{GroupName}:h2", s_squattedKept.ToString());
        Assert.That(nameExit, Is.Zero, "the outsider's bput --create of h2's name: " + name);

        // 1. Members lease and ping each other. h1 remembers the squatted address from an earlier run (its lease
        // file), as a host restarted while an outsider took its address: it asks for it first, and gets it.
        LeaseFile.Save(Path.Combine(HostDir(1), LeaseFile.DefaultFileName),
            new LeaseRecord(GroupName, s_squattedForMember, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10)));
        (IPAddress a1, double lease1) = StartHostAndLease(1);
        (IPAddress a2, double lease2) = StartHostAndLease(2);
        Assert.That(a1, Is.EqualTo(s_squattedForMember), "the outsider's record kept h1 from the address it asked for");
        Assert.That(a1, Is.Not.EqualTo(a2));
        Assert.That(_processes.Single(p => p.Name == "h1").Output, Does.Contain($"group {GroupName}").And.Not.Contain("is not the IpopNamespace"),
            "h1 did not run as a private group member named after the namespace");
        TestContext.Out.WriteLine($"members run -> lease: h1 {lease1:0.00} s, h2 {lease2:0.00} s");
        var memberPing = Stopwatch.StartNew();
        PingUntilAnswered(1, a2, TimeSpan.FromSeconds(15));
        PingUntilAnswered(2, a1, TimeSpan.FromSeconds(15));
        TestContext.Out.WriteLine($"members ping both ways: {memberPing.Elapsed.TotalSeconds:0.00} s");
        string squatAnswer = DhtAnswer(LeaseKey(s_squattedForMember));
        Assert.That(squatAnswer, Does.Contain($"\"value\":\"{NodeAddressOf(1)}\"").And.Not.Contain(outsider),
            $"{LeaseKey(s_squattedForMember)} should name only h1: {squatAnswer}");
        (int againExit, string again) = Bput(LeaseKey(s_squattedForMember), outsider);
        Assert.That(againExit, Is.EqualTo(1), $"the outsider took h1's address back: {again}");
        // The address the outsider still holds maps to nobody for members: h2 never sends there.
        long h2OutBefore = Metric(2, "groupvpn_packets_out_total");
        long kept = PingFailsUntilCounted(2, s_squattedKept, 2, "groupvpn_dropped_unresolved_total");
        Assert.That(Metric(2, "groupvpn_packets_out_total"), Is.EqualTo(h2OutBefore), "h2 sent packets to the outsider's claimed address");
        TestContext.Out.WriteLine($"outsider's lease records: displaced by h1's Create; {s_squattedKept} unresolved for h2 ({kept} packets dropped)");
        // h2's own name record displaced the outsider's: h1's resolver finds h2 at its address.
        string lookup = "";
        var named = Stopwatch.StartNew();
        while (!lookup.Contains(a2.ToString(), StringComparison.Ordinal) && named.Elapsed < TimeSpan.FromSeconds(15))
        {
            (_, lookup) = Exec(1, "busybox", "nslookup", "h2.ipop", "100.64.0.1");
        }
        Assert.That(lookup, Does.Contain(a2.ToString()).And.Not.Contain(s_squattedKept.ToString()), "h1: nslookup h2.ipop: " + lookup);

        // 2. Outsider A, a forger: a certificate from the other authority but the group's real ca.crt named.
        Ca("sign", "--ca", otherCa, "--name", "h3", "--out", HostDir(3));
        File.Copy(Path.Combine(groupCa, "ca.crt"), Path.Combine(HostDir(3), "ca.crt"), overwrite: true);
        var forgerClock = Stopwatch.StartNew();
        (int forgerExit, string forgerOutput) = Exec(3, "dotnet", GroupVpnDll, "run", "--etc", HostDir(3));
        TestContext.Out.WriteLine($"forger refused in {forgerClock.Elapsed.TotalSeconds:0.00} s: {forgerOutput.Trim()}");
        Assert.That(forgerExit, Is.EqualTo(2), "the forger's groupvpn run should exit 2: " + forgerOutput);
        Assert.That(forgerOutput, Does.Contain("node.crt").And.Contain("IpopConfig/GroupVPN/Certificate").And.Contain("issued by another authority"),
            "the refusal should name the certificate and the reason: " + forgerOutput);
        Assert.That(Exec(3, "ip", "link", "show", "tapipop").ExitCode, Is.Not.Zero, "the forger made a TAP device");
        (int forgerDhcp, string forgerDhcpOutput) = Exec(3, "busybox", "udhcpc", "-i", "tapipop", "-n", "-q", "-t", "2", "-T", "1", "-s", UdhcpcScript);
        Assert.That(forgerDhcp, Is.Not.Zero, "the forger got a lease: " + forgerDhcpOutput);

        // 3. Outsider B, a look-alike group: the other authority's own ca.crt and certificate. It runs (its own DHCP
        // server hands it an address from the open DHT), but no VPN packet passes either way: each side finds the
        // other's handshake certificate foreign and does not hand it its packets.
        long h1In = Metric(1, "groupvpn_packets_in_total");    // from here on nothing more reaches h1's host
        Ca("sign", "--ca", otherCa, "--name", "h3", "--out", HostDir(3));   // restores the other authority's ca.crt
        (IPAddress a3, double lease3) = StartOutsider("h3-lookalike");
        TestContext.Out.WriteLine($"look-alike outsider run -> lease {a3} in {lease3:0.00} s");
        var lookAlike = Stopwatch.StartNew();
        // Each side's resolver does not count the other's lease (its credential is of another authority).
        long outsiderRefused = PingFailsUntilCounted(3, a1, 3, "groupvpn_dropped_unresolved_total");
        long outsiderGotBefore = Metric(3, "groupvpn_dropped_not_member_total");
        long memberRefused = PingFailsUntilCounted(1, a3, 1, "groupvpn_dropped_unresolved_total");
        Assert.That(Metric(3, "groupvpn_dropped_not_member_total"), Is.EqualTo(outsiderGotBefore), "h1 handed its VPN packets to the outsider");
        Assert.That(Metric(1, "groupvpn_packets_in_total"), Is.EqualTo(h1In), "h1 took packets from the look-alike outsider");
        Assert.That(Metric(3, "groupvpn_packets_in_total"), Is.Zero, "the look-alike outsider got packets from h1");
        TestContext.Out.WriteLine($"look-alike: h3 -> h1 refused ({outsiderRefused} packets), h1 -> h3 refused ({memberRefused} packets) "
            + $"in {lookAlike.Elapsed.TotalSeconds:0.00} s");
        StopProcess("h3-lookalike");

        // 4. Outsider C, one that sends whatever it likes: h3 as an open node (GroupVPN off) on the same overlay and
        // IpopNamespace. Its packets reach h1 over a direct edge and are dropped there as from a non-member.
        File.WriteAllText(Path.Combine(HostDir(3), "ipop.config"),
            GroupVpnElement().Replace(File.ReadAllText(Path.Combine(HostDir(3), "ipop.config")), ""));
        (IPAddress a3Open, double lease3Open) = StartOutsider("h3-open");
        TestContext.Out.WriteLine($"open outsider run -> lease {a3Open} in {lease3Open:0.00} s");
        var open = Stopwatch.StartNew();
        long dropped = PingFailsUntilCounted(3, a1, 1, "groupvpn_dropped_not_member_total");
        PingFailsUntilCounted(1, a3Open, 1, "groupvpn_dropped_unresolved_total");
        Assert.That(Metric(1, "groupvpn_packets_in_total"), Is.EqualTo(h1In), "h1 took packets from the open outsider");
        TestContext.Out.WriteLine($"open outsider: h3 -> h1 dropped by h1 as from a non-member ({dropped} packets), h1 -> h3 refused, "
            + $"in {open.Elapsed.TotalSeconds:0.00} s");

        // The members still reach each other.
        (int stillExit, string still) = Exec(1, "ping", "-c", "2", "-i", "0.2", "-W", "2", a2.ToString());
        Assert.That(stillExit, Is.Zero, "h1 -> h2 after the outsiders: " + still);
        TestContext.Out.WriteLine($"total: {total.Elapsed.TotalSeconds:0.00} s");
    }

    private string UdhcpcScript => Path.Combine(_root, "tests", "lab", "udhcpc.script");

    private string HostDir(int i) => Path.Combine(_dir, $"h{i}");

    private void Ca(params string[] arguments)
    {
        (int exit, string output) = LabProcess.Run(s_command, "dotnet", [GroupVpnDll, "ca", .. arguments]);
        Assert.That(exit, Is.Zero, $"groupvpn ca {string.Join(' ', arguments)}: {output}");
    }

    private (IPAddress Address, double Seconds) StartHostAndLease(int i)
    {
        var clock = Stopwatch.StartNew();
        IPAddress? address = TryStartHostAndLease(i, $"h{i}");
        Assert.That(address, Is.Not.Null, $"h{i}: udhcpc got no lease");
        return (address!, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Starts <c>groupvpn run</c> for host <paramref name="i"/>, waits for its TAP and asks udhcpc for a lease: null when none came.</summary>
    private IPAddress? TryStartHostAndLease(int i, string name)
    {
        var clock = Stopwatch.StartNew();
        LabProcess host = Spawn(name, Namespace($"h{i}"), "dotnet", GroupVpnDll, "run", "--etc", HostDir(i));
        while (Exec(i, "ip", "link", "show", "tapipop").ExitCode != 0)
        {
            Assert.That(host.HasExited, Is.False, $"{name} exited: {host.Output}");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), $"{name} made no TAP device");
            Thread.Sleep(50);
        }
        (int exit, string output) = Exec(i, "busybox", "udhcpc", "-i", "tapipop", "-n", "-q", "-t", "10", "-T", "1", "-s", UdhcpcScript);
        Match lease = LeaseLine().Match(output);
        return exit == 0 && lease.Success ? IPAddress.Parse(lease.Groups[1].Value) : null;
    }

    private (IPAddress Address, double Seconds) StartOutsider(string name)
    {
        var clock = Stopwatch.StartNew();
        IPAddress? address = TryStartHostAndLease(3, name);
        Assert.That(address, Is.Not.Null, $"{name}: udhcpc got no lease");
        return (address!, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The node address of bootstrap node 0, the one whose control endpoint the lab exposes (once it listens).</summary>
    private string BootNodeAddress()
    {
        var clock = Stopwatch.StartNew();
        (int exit, string output) = (1, "");
        while (exit != 0 && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            (exit, output) = LabProcess.Run(s_command, "ip", "netns", "exec", Namespace("boot"), "bash",
                Path.Combine(_root, "tests", "lab", "http-get.sh"), BootControlPort.ToString(CultureInfo.InvariantCulture), "/api/node");
            if (exit != 0)
            {
                Thread.Sleep(100);
            }
        }
        Match match = AddressField().Match(output);
        Assert.That(match.Success, Is.True, "the bootstrap node's /api/node has no address: " + output);
        return match.Groups[1].Value;
    }

    /// <summary><c>bin/bput --create KEY VALUE</c> through bootstrap node 0, a node without a certificate.</summary>
    private (int ExitCode, string Output) Bput(string key, string value) =>
        LabProcess.Run(s_command, "ip", "netns", "exec", Namespace("boot"), "bash", Path.Combine(_root, "bin", "bput"), "--create",
            "--ttl", "600", "--node", $"127.0.0.1:{BootControlPort}", key, value);

    private static string LeaseKey(IPAddress address) => $"dhcp:{GroupName}:{address}";

    /// <summary>The DHT's answer (JSON: values and writers) for <paramref name="key"/>.</summary>
    private string DhtAnswer(string key) => HttpGet("boot", BootControlPort, $"/api/dht?key={key}");

    private void StopProcess(string name)
    {
        LabProcess process = _processes.Single(p => p.Name == name);
        LabProcess.Run(s_command, "kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(15)), Is.True, $"{name} did not stop on SIGTERM");
    }

    /// <summary>
    /// Pings <paramref name="to"/> from host <paramref name="from"/> (never answered) until host <paramref name="counter"/>'s
    /// metric <paramref name="metric"/> has grown: the packets were dropped for the reason it names. Returns the growth.
    /// </summary>
    private long PingFailsUntilCounted(int from, IPAddress to, int counter, string metric)
    {
        long before = Metric(counter, metric);
        long now = before;
        var clock = Stopwatch.StartNew();
        while (now <= before && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            (int exit, string output) = Exec(from, "ping", "-c", "2", "-i", "0.3", "-W", "1", to.ToString());
            Assert.That(exit, Is.Not.Zero, $"h{from} reached {to} across the group boundary: {output}");
            now = Metric(counter, metric);
        }
        Assert.That(now, Is.GreaterThan(before), $"h{from} -> {to}: h{counter}'s {metric} did not grow in {clock.Elapsed.TotalSeconds:0.0} s; "
            + $"h{from}: {GroupVpnMetrics(from)} {HttpGet($"h{from}", HostControlPort, "/api/linkstatus")}; h{counter}: {GroupVpnMetrics(counter)}");
        return now - before;
    }

    private void PingUntilAnswered(int from, IPAddress to, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string output = "";
        while (clock.Elapsed < timeout)
        {
            (int exit, output) = Exec(from, "ping", "-c", "1", "-W", "1", to.ToString());
            if (exit == 0)
            {
                return;
            }
        }
        Assert.Fail($"h{from} -> {to}: no answer in {timeout.TotalSeconds} s: {output}");
    }

    private long Metric(int i, string name)
    {
        string text = HttpGet($"h{i}", HostControlPort, "/metrics");
        Match match = Regex.Match(text, $@"(?m)^{Regex.Escape(name)} (\d+)");
        Assert.That(match.Success, Is.True, $"h{i}'s /metrics has no {name}: {text}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private string GroupVpnMetrics(int i) => string.Join(' ', HttpGet($"h{i}", HostControlPort, "/metrics").Split('\n')
        .Where(line => line.StartsWith("groupvpn_", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal)));

    [GeneratedRegex(@"""address"":""(brunet:node:[A-Z2-7]+)""")]
    private static partial Regex AddressField();

    [GeneratedRegex(@"\s*<GroupVPN>.*</GroupVPN>", RegexOptions.Singleline)]
    private static partial Regex GroupVpnElement();

}
