using Brunet.Addressing;
using Brunet.Messaging.Rpc;
using Brunet.Node;
using Brunet.Routing;
using Brunet.Security;

namespace Brunet.Tests.Node;

[NonParallelizable]
public class RingFormationTests
{
    [Test]
    public async Task Join_EightNodesInMemory_FormCorrectRing()
    {
        await using RingHarness ring = RingHarness.Memory();
        for (int i = 0; i < 8; i++)
        {
            ring.AddNode();
        }
        TimeSpan took = await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine($"8 nodes consistent after {took.TotalSeconds:F1} s");
    }

    [Test]
    public async Task Join_ThirtyTwoNodesOverUdp_FormCorrectRing()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 32; i++)
        {
            ring.AddNode();
        }
        TimeSpan took = await ring.WaitForRingAsync(TimeSpan.FromSeconds(40));
        TestContext.Out.WriteLine($"32 nodes consistent after {took.TotalSeconds:F1} s");
    }

    [Test]
    public async Task Route_ThirtyTwoNodesOverUdp_EveryNodeReachesEveryOther()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 32; i++)
        {
            ring.AddNode();
        }
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(40));
        var calls = new List<(OverlayNode From, OverlayNode To, Task<RpcResult> Result)>();
        foreach (OverlayNode from in ring.Nodes)
        {
            foreach (OverlayNode to in ring.Nodes.Where(n => n != from))
            {
                calls.Add((from, to, from.CallAsync(RpcTarget.Routed(to.Address, RoutingMode.Exact), Methods.Ping, [])));
            }
        }
        await Task.WhenAll(calls.Select(c => c.Result));
        var failed = calls.Where(c => !c.Result.Result.IsOk || c.Result.Result.From != c.To.Address)
            .Select(c => $"{c.From.Address.ToShortString()} -> {c.To.Address.ToShortString()}: {c.Result.Result}")
            .ToList();
        Assert.That(failed, Is.Empty, $"{failed.Count} of {calls.Count} routed messages did not arrive");
    }

    [Test]
    public async Task Churn_KillQuarterOverUdp_RingRepairsAndRoutes()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 32; i++)
        {
            ring.AddNode();
        }
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(40));
        foreach (OverlayNode victim in ring.Nodes.Skip(1).Where((_, i) => i % 4 == 0).Take(8).ToList())
        {
            await ring.CrashAsync(victim);
        }
        // Bound (fast options): ping after 1 s idle, 2 resends of 0.4 s doubling, then stabilization rounds of 1 s.
        TimeSpan took = await ring.WaitForRingAsync(TimeSpan.FromSeconds(15));
        TestContext.Out.WriteLine($"ring of 24 repaired {took.TotalSeconds:F1} s after 8 of 32 died");
        OverlayNode first = ring.Alive[0];
        foreach (OverlayNode to in ring.Alive.Skip(1))
        {
            RpcResult result = await first.CallAsync(RpcTarget.Routed(to.Address), Methods.Ping, []);
            Assert.That(result.IsOk, Is.True, $"ping to {to.Address.ToShortString()} after the repair: {result}");
        }
    }

    [Test]
    public async Task Join_DifferentNamespacesOnSameAddresses_NeverLink()
    {
        await using RingHarness ring = RingHarness.Udp("alpha");
        for (int i = 0; i < 4; i++)
        {
            ring.AddNode();
        }
        OverlayNode stranger = ring.AddNode(ns: "beta");   // dials alpha's bootstrap node
        ring.Excluded.Add(stranger);
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(stranger.Connections.Count, Is.Zero, "a beta node linked into alpha");
        foreach (OverlayNode node in ring.Nodes.Where(n => n != stranger))
        {
            Assert.That(node.Connections.Contains(stranger.Address), Is.False, $"{node.Address.ToShortString()} linked to the beta node");
        }
    }

    [Test]
    public async Task Join_KeyDoesNotMatchClaimedAddress_Refused()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 4; i++)
        {
            ring.AddNode();
        }
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        var liarIdentity = NodeIdentity.Generate();
        Address victim = ring.Nodes[2].Address;
        OverlayNode liar = ring.AddNode(identity: liarIdentity, claimedAddress: victim);
        ring.Excluded.Add(liar);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.That(liar.Connections.Count, Is.Zero, "the liar got a link");
        foreach (OverlayNode node in ring.Nodes.Where(n => n != liar))
        {
            Assert.That(node.Connections.Contains(liarIdentity.Address), Is.False, "a node linked to the liar's real address");
        }
        Assert.That(ring.NeighboursAreTrue(out string problem), Is.True, problem);
    }
}
