using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Routing;
using Brunet.Tests.Connections;

namespace Brunet.Tests.Routing;

public class RouterTests
{
    private static Address At(ulong value) => Address.FromBigInteger(value);

    private static ConnectionTable TableOf(Address self, IEnumerable<Address> peers)
    {
        ConnectionTable table = ConnectionTable.Empty(self);
        foreach (Address peer in peers)
        {
            table = table.With(NullConnectionEdge.Link(peer));
        }
        return table;
    }

    // --- Exact ---

    [Test]
    public void Decide_ExactAtDestination_Delivers()
    {
        RouteDecision decision = Router.Decide(TableOf(At(100), [At(200)]), new RouteInfo(RoutingMode.Exact, At(200), At(100)));
        Assert.That(decision.DeliverLocally, Is.True);
        Assert.That(decision.NextHop, Is.Null);
    }

    [Test]
    public void Decide_ExactWithCloserLink_ForwardsToNearest()
    {
        ConnectionTable table = TableOf(At(100), [At(200), At(900), At(1200)]);
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Exact, At(100), At(1000)));
        Assert.That(decision.NextHop!.Peer, Is.EqualTo(At(900)));
        Assert.That(decision.DeliverLocally, Is.False);
    }

    [Test]
    public void Decide_ExactNoCloserLinkNotDestination_Drops()
    {
        ConnectionTable table = TableOf(At(1000), [At(200), At(5000)]);
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Exact, At(200), At(1002)));
        Assert.That(decision.Drop, Is.True);
        Assert.That(Router.Decide(ConnectionTable.Empty(At(1000)), new RouteInfo(RoutingMode.Exact, At(1), At(1002))).Drop, Is.True);
    }

    // --- Closest ---

    [Test]
    public void Decide_ClosestAtNearest_DeliversEvenAtSource()
    {
        ConnectionTable table = TableOf(At(1000), [At(200), At(5000)]);
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Closest, At(1000), At(1002)));
        Assert.That(decision.DeliverLocally, Is.True);
        Assert.That(decision.NextHop, Is.Null);
        Assert.That(Router.Decide(ConnectionTable.Empty(At(1000)), new RouteInfo(RoutingMode.Closest, At(1000), At(3))).DeliverLocally, Is.True);
    }

    [Test]
    public void Decide_ClosestWithCloserLink_Forwards()
    {
        ConnectionTable table = TableOf(At(1000), [At(200), At(5000)]);
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Closest, At(1000), At(4000)));
        Assert.That(decision.NextHop!.Peer, Is.EqualTo(At(5000)));
    }

    [Test]
    public void Decide_ClosestTie_SmallerAddressWins()
    {
        // 1000 and 3000 are both 1000 from the key 2000: the smaller address is "closer".
        RouteDecision atLarger = Router.Decide(TableOf(At(3000), [At(1000)]), new RouteInfo(RoutingMode.Closest, At(3000), At(2000)));
        Assert.That(atLarger.NextHop!.Peer, Is.EqualTo(At(1000)));
        RouteDecision atSmaller = Router.Decide(TableOf(At(1000), [At(3000)]), new RouteInfo(RoutingMode.Closest, At(3000), At(2000)));
        Assert.That(atSmaller.DeliverLocally, Is.True);
    }

    // --- Annealing ---

    [Test]
    public void Decide_AnnealingAtSource_NeverDelivers()
    {
        // The source is the nearest node to the key, yet annealing must go to the nearest other node.
        ConnectionTable table = TableOf(At(1000), [At(200), At(5000)]);
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Annealing, At(1000), At(1002)));
        Assert.That(decision.DeliverLocally, Is.False);
        Assert.That(decision.NextHop!.Peer, Is.EqualTo(At(200)));
        Assert.That(Router.Decide(ConnectionTable.Empty(At(1000)), new RouteInfo(RoutingMode.Annealing, At(1000), At(3))).Drop, Is.True);
    }

    [Test]
    public void Decide_AnnealingNeverForwardsBackToSource()
    {
        // At 200, the source 1000 is the nearest link to the key, but it is excluded: 200 is the nearest other node.
        ConnectionTable table = TableOf(At(200), [At(1000), At(100)]);
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Annealing, At(1000), At(1002)));
        Assert.That(decision.DeliverLocally, Is.True);
        ConnectionTable further = TableOf(At(100), [At(1000), At(200)]);
        RouteDecision forward = Router.Decide(further, new RouteInfo(RoutingMode.Annealing, At(1000), At(1002)));
        Assert.That(forward.NextHop!.Peer, Is.EqualTo(At(200)));
    }

    [Test]
    public void IsCloser_IsAStrictTotalOrder()
    {
        var random = new Random(4);
        for (int i = 0; i < 2000; i++)
        {
            Address a = Address.Random(random);
            Address b = random.Next(10) == 0 ? a : Address.Random(random);
            Address key = Address.Random(random);
            bool ab = Router.IsCloser(a, b, key);
            bool ba = Router.IsCloser(b, a, key);
            Assert.That(ab && ba, Is.False, "antisymmetric");
            Assert.That(ab || ba, Is.EqualTo(a != b), "total on distinct addresses, irreflexive");
        }
    }

    // --- Whole rings ---

    private sealed record Ring(List<Address> Sorted, Dictionary<Address, ConnectionTable> Tables);

    /// <summary>What each link tells about its own links (<see cref="Connection.PeerLinks"/>).</summary>
    public enum Lists
    {
        None,
        True,
        /// <summary>Stale or lying: random prefixes (a hint must never break delivery).</summary>
        Random,
    }

    private static Ring BuildRing(Random random, Lists lists = Lists.None)
    {
        int n = random.Next(50, 201);
        var sorted = Enumerable.Range(0, n).Select(_ => Address.Random(random)).Distinct().OrderBy(a => a).ToList();
        n = sorted.Count;
        var tables = new Dictionary<Address, ConnectionTable>();
        for (int i = 0; i < n; i++)
        {
            var peers = new HashSet<Address>();
            for (int k = 1; k <= 2; k++)
            {
                peers.Add(sorted[(i + k) % n]);
                peers.Add(sorted[(i - k + n) % n]);
            }
            int extra = random.Next(0, 8);
            for (int e = 0; e < extra; e++)
            {
                peers.Add(sorted[random.Next(n)]);
            }
            peers.Remove(sorted[i]);
            tables[sorted[i]] = TableOf(sorted[i], peers);
        }
        if (lists != Lists.None)
        {
            foreach (Address node in sorted)
            {
                foreach (Connection c in tables[node].Clockwise)
                {
                    ulong[] told = lists == Lists.True
                        ? LinkList.Decode(LinkList.Encode(tables[c.Peer]))
                        : [.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => (ulong)random.NextInt64()).Distinct().Order()];
                    tables[node] = tables[node].With(c with { PeerLinks = told });
                }
            }
        }
        return new Ring(sorted, tables);
    }

    /// <summary>Follows Decide hop by hop; returns the delivering node, or null when dropped.</summary>
    private static Address? Follow(Ring ring, RoutingMode mode, Address source, Address key, out int hops)
    {
        var visited = new HashSet<Address> { source };
        Address current = source;
        var info = new RouteInfo(mode, source, key);
        hops = 0;
        while (true)
        {
            RouteDecision decision = Router.Decide(ring.Tables[current], info);
            if (decision.DeliverLocally)
            {
                Assert.That(decision.NextHop, Is.Null);
                return current;
            }
            if (decision.NextHop is null)
            {
                return null;
            }
            current = decision.NextHop.Peer;
            hops++;
            Assert.That(visited.Add(current), Is.True, $"{mode} from {source.ToShortString()} to {key.ToShortString()} visited {current.ToShortString()} twice");
            Assert.That(hops, Is.LessThanOrEqualTo(ring.Sorted.Count), "more hops than nodes");
        }
    }

    private static Address Nearest(IEnumerable<Address> nodes, Address key) =>
        nodes.Aggregate((best, next) => Router.IsCloser(next, best, key) ? next : best);

    [TestCase(Lists.None)]
    [TestCase(Lists.True)]
    [TestCase(Lists.Random)]
    public void Decide_RandomRings_EveryModeReachesTheRightNode(Lists lists)
    {
        Assert.That(MeanExactHops(lists), Is.GreaterThan(0));
    }

    [Test]
    public void Decide_WithTrueLinkLists_TakesFewerHopsThanGreedy()
    {
        // The same rings and queries (one seed): lookahead through the links' lists must beat plain greedy.
        double greedy = MeanExactHops(Lists.None);
        double lookahead = MeanExactHops(Lists.True);
        TestContext.Out.WriteLine($"mean hops: greedy {greedy:F2}, lookahead {lookahead:F2}");
        Assert.That(lookahead, Is.LessThan(greedy * 0.9));
    }

    /// <summary>Routes every mode over random rings, checks each ends at the right node without a loop; the mean exact hops.</summary>
    private static double MeanExactHops(Lists lists)
    {
        const int seed = 2024;
        var random = new Random(seed);
        int routes = 0;
        long totalHops = 0;
        for (int r = 0; r < 8; r++)
        {
            Ring ring = BuildRing(random, lists);
            for (int q = 0; q < 150; q++)
            {
                Address source = ring.Sorted[random.Next(ring.Sorted.Count)];
                Address key = random.Next(3) == 0 ? ring.Sorted[random.Next(ring.Sorted.Count)] : Address.Random(random);
                string where = $"seed {seed}, ring {r} ({ring.Sorted.Count} nodes), {source.ToShortString()} -> {key.ToShortString()}";

                Address? exact = Follow(ring, RoutingMode.Exact, source, key, out int hops);
                totalHops += hops;
                routes++;
                Assert.That(exact, Is.EqualTo(ring.Tables.ContainsKey(key) ? key : null), $"exact: {where}");

                Address? closest = Follow(ring, RoutingMode.Closest, source, key, out _);
                Assert.That(closest, Is.EqualTo(Nearest(ring.Sorted, key)), $"closest: {where}");

                Address? annealing = Follow(ring, RoutingMode.Annealing, source, key, out _);
                Assert.That(annealing, Is.EqualTo(Nearest(ring.Sorted.Where(a => a != source), key)), $"annealing: {where}");
            }
        }
        TestContext.Out.WriteLine($"{routes} exact routes, mean {(double)totalHops / routes:F2} hops");
        return (double)totalHops / routes;
    }

    private static Address High(ulong prefix) => new((UInt128)prefix << 64, 0);

    [Test]
    public void Decide_LinkWhoseOwnLinkIsNearest_IsChosenOverTheNearerLink()
    {
        // self 100; links 400 (knows 950) and 600 (knows 610); destination 1000. Greedy takes 600; lookahead 400.
        ConnectionTable table = ConnectionTable.Empty(High(100))
            .With(NullConnectionEdge.Link(High(400)) with { PeerLinks = [100, 950] })
            .With(NullConnectionEdge.Link(High(600)) with { PeerLinks = [100, 610] });
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Exact, High(100), High(1000)));
        Assert.That(decision.NextHop!.Peer, Is.EqualTo(High(400)));
    }

    [Test]
    public void Decide_LinkFartherThanThisNode_IsNeverChosenWhateverItKnows()
    {
        // self 900, destination 1000: link 500 claims to know 1000 itself, but it is farther than this node.
        ConnectionTable table = ConnectionTable.Empty(High(900))
            .With(NullConnectionEdge.Link(High(500)) with { PeerLinks = [1000] })
            .With(NullConnectionEdge.Link(High(950)) with { PeerLinks = [900] });
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Exact, High(1), High(1000)));
        Assert.That(decision.NextHop!.Peer, Is.EqualTo(High(950)));
    }

    [Test]
    public void Decide_DestinationIsALink_GoesStraightThereWhatOthersClaim()
    {
        ConnectionTable table = ConnectionTable.Empty(High(100))
            .With(NullConnectionEdge.Link(High(990)) with { PeerLinks = [1000] })
            .With(NullConnectionEdge.Link(High(1000)) with { PeerLinks = [] });
        RouteDecision decision = Router.Decide(table, new RouteInfo(RoutingMode.Exact, High(100), High(1000)));
        Assert.That(decision.NextHop!.Peer, Is.EqualTo(High(1000)));
    }
}
