using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Ipop.Dht.Tests.Lab;

/// <summary>
/// Issue C with ISC dhclient (isc-dhcp-client) as the host's DHCP client instead of busybox udhcpc: a groupvpn host
/// runs <c>dhclient -d</c> on its TAP in its namespace (tests/lab/dhclient.script applies the lease; pid and lease
/// files in the test's folder), gets an address from the range, and pings another host, which used udhcpc. dhclient
/// stays in the foreground as a lab process and is ended by PID at teardown. Uses the built artifacts; builds nothing.
/// </summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public sealed partial class DhclientLabTests : GroupVpnLab
{
    protected override string DirectoryPrefix => "gvdhc-";

    [Test]
    public void Dhclient_OnGroupVpnTap_LeasesFromTheRangeAndPingsAnotherHost()
    {
        if (!ToolExists("dhclient"))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail("dhclient is not installed (CI installs isc-dhcp-client).");
            }
            Assert.Ignore("dhclient (isc-dhcp-client) is not installed.");
        }
        StartBootstrap();
        StartGroupVpn(1);
        StartGroupVpn(2);

        // h2 takes its lease with udhcpc, h1 with dhclient.
        (int udhcpcExit, string udhcpc) = Exec(2, "busybox", "udhcpc", "-i", "tapipop", "-n", "-q", "-t", "10", "-T", "1", "-s",
            Path.Combine(_root, "tests", "lab", "udhcpc.script"));
        Match h2Lease = LeaseLine().Match(udhcpc);
        Assert.That(udhcpcExit == 0 && h2Lease.Success, Is.True, "h2: udhcpc got no lease: " + udhcpc);
        IPAddress a2 = IPAddress.Parse(h2Lease.Groups[1].Value);

        string work = Path.Combine(_dir, "dhclient");
        Directory.CreateDirectory(work);
        string config = Path.Combine(work, "dhclient.conf");
        File.WriteAllText(config, "");      // not /etc/dhcp/dhclient.conf: the defaults, nothing of the machine's
        var clock = Stopwatch.StartNew();
        LabProcess dhclient = Spawn("dhclient", Namespace("h1"), "dhclient", "-d", "-v", "-4", "-cf", config,
            "-sf", Path.Combine(_root, "tests", "lab", "dhclient.script"),
            "-pf", Path.Combine(work, "dhclient.pid"), "-lf", Path.Combine(work, "dhclient.leases"), "tapipop");
        IPAddress? a1 = null;
        while (a1 is null && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.That(dhclient.HasExited, Is.False, "dhclient exited: " + dhclient.Output);
            Match address = InetLine().Match(Exec(1, "ip", "-4", "addr", "show", "dev", "tapipop").Output);
            a1 = address.Success ? IPAddress.Parse(address.Groups[1].Value) : null;
            Thread.Sleep(100);
        }
        Assert.That(a1, Is.Not.Null, "h1: dhclient set no address on tapipop in 30 s: " + dhclient.Output);
        TestContext.Out.WriteLine($"dhclient -> address {a1} in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.That(a1!.GetAddressBytes()[..2], Is.EqualTo(new byte[] { 100, 64 }), $"h1 got {a1}, outside 100.64.0.0/16");
        Assert.That(a1, Is.Not.EqualTo(a2));
        Assert.That(Exec(1, "ip", "-4", "addr", "show", "dev", "tapipop").Output, Does.Contain($"{a1}/16"), "the mask from DHCP option 1");
        Assert.That(dhclient.WaitForOutput("bound to", TimeSpan.FromSeconds(5)), Is.True, "dhclient did not report the lease: " + dhclient.Output);
        Assert.That(File.ReadAllText(Path.Combine(work, "dhclient.leases")), Does.Contain($"fixed-address {a1};"), "dhclient's lease file");

        foreach ((int from, IPAddress to) in new[] { (1, a2), (2, a1) })
        {
            var ping = Stopwatch.StartNew();
            (int exit, string output) = (1, "");
            while (exit != 0 && ping.Elapsed < TimeSpan.FromSeconds(15))
            {
                (exit, output) = Exec(from, "ping", "-c", "1", "-W", "1", to.ToString());
            }
            Assert.That(exit, Is.Zero, $"h{from} -> {to}: {output}");
        }
        Assert.That(dhclient.HasExited, Is.False, "dhclient should keep running to renew the lease");
    }

    [GeneratedRegex(@"inet (\d+\.\d+\.\d+\.\d+)/")]
    private static partial Regex InetLine();
}
