using System.Diagnostics;
using System.Globalization;
using System.Text;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Dht;
using Brunet.Linking;
using Brunet.Messaging.Rpc;
using Brunet.Messaging;
using Brunet.Node;
using Brunet.Routing;
using Brunet.Security;
using Brunet.Simulation;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Benchmarks;

/// <summary>
/// The simulator (issue F): the real node code (secure edges, linking, routing, RPC, DHT) over the in-memory transport
/// in virtual time, one thread. Nodes join in waves through random live nodes, then churn at a rate per minute
/// (departures without goodbye, replaced by joiners). Prints consistency over time, the routing hop distribution and
/// DHT availability.
/// </summary>
internal static class SimulateCommand
{
    public static int Run(string[] args)
    {
        int nodes = Option(args, "--nodes", 1000);
        double churnPerMinute = Option(args, "--churn", 1.0) / 100;
        int minutes = Option(args, "--minutes", 5);
        int seed = Option(args, "--seed", 1);
        int records = Option(args, "--records", 200);
        int joinRate = Option(args, "--join-rate", 200);
        // After the last join, wait this long (virtual) at most for a fully consistent ring before the churn starts.
        int settleSeconds = Option(args, "--settle-max", 600);
        // Simulated DH (a hash stand-in for X25519, SimulatedDh) unless --real-dh: the curve was most of the CPU.
        bool realDh = args.Contains("--real-dh");
        Console.WriteLine($"simulate: {nodes} nodes, churn {churnPerMinute * 100:F1}%/min for {minutes} min, {records} DHT records, seed {seed}, "
            + (realDh ? "X25519" : "simulated DH"));
        var clock = Stopwatch.StartNew();
        var sim = new Simulation(seed, realDh);

        // Join in waves of joinRate nodes per virtual second, each through a random node already in; a progress line
        // at about every tenth of the nodes, on a wave boundary (a 100,000-node join takes most of an hour).
        int progressEvery = Math.Max(joinRate, nodes / 10 / joinRate * joinRate);
        for (int i = 0; i < nodes; i++)
        {
            sim.AddNode();
            if ((i + 1) % joinRate == 0)
            {
                sim.Scheduler.RunFor(TimeSpan.FromSeconds(1));
            }
            if ((i + 1) % progressEvery == 0 && i + 1 < nodes)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"joining: {i + 1} nodes at {sim.Scheduler.Now.TotalSeconds:F0} s virtual, {clock.Elapsed.TotalSeconds:F0} s wall, RSS {ProcessMemory.ResidentBytes() / 1048576.0:F0} MB"));
            }
        }
        TimeSpan joinedAt = sim.Scheduler.Now;
        TimeSpan limit = joinedAt + TimeSpan.FromSeconds(settleSeconds);
        while (sim.Scheduler.Now < limit && sim.Consistency().Consistency < 1.0)
        {
            sim.Scheduler.RunFor(TimeSpan.FromSeconds(1));
        }
        RingConsistency.Result joined = sim.Consistency();
        Console.WriteLine($"joined: {nodes} nodes, consistency {joined.Consistency:F4} at {sim.Scheduler.Now.TotalSeconds:F0} s virtual "
            + $"({(sim.Scheduler.Now - joinedAt).TotalSeconds:F0} s after the last join), {clock.Elapsed.TotalSeconds:F0} s wall, "
            + $"RSS {ProcessMemory.ResidentBytes() / 1048576.0:F0} MB, {GcHeap()}");

        List<string> keys = sim.PutRecords(records);
        Console.WriteLine($"dht: stored {keys.Count} of {records} records");

        var consistencies = new List<double>();
        int killedTotal = 0;
        for (int minute = 0; minute < minutes; minute++)
        {
            for (int step = 0; step < 6; step++)
            {
                // Churn spread over the minute: departures without goodbye, and as many joiners.
                int leave = (int)Math.Round(sim.AliveCount * churnPerMinute / 6);
                killedTotal += sim.Churn(leave);
                sim.Scheduler.RunFor(TimeSpan.FromSeconds(10));
                double consistency = sim.Consistency().Consistency;
                consistencies.Add(consistency);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={sim.Scheduler.Now.TotalSeconds,6:F0}s alive={sim.AliveCount} consistency={consistency:F4} links/node={sim.MeanLinks():F1} wall={clock.Elapsed.TotalSeconds:F0}s"));
            }
        }
        if (args.Contains("--diagnose"))
        {
            sim.Diagnose();
        }
        // Brunet's consistency checks that neighbours point back at each other; two interleaved rings would pass it.
        int trueNeighbours = sim.CountTrueNeighbours();
        (Dictionary<int, int> hops, int pingsOk, int pingsSent, int unroutable) = sim.MeasureHops(2000);
        int found = sim.CountReadable(keys);
        double meanHops = hops.Sum(h => (double)h.Key * h.Value) / Math.Max(1, hops.Values.Sum());
        double log2n = Math.Log2(sim.AliveCount);
        Console.WriteLine($"churn: {killedTotal} nodes left without goodbye over {minutes} min; mean consistency {consistencies.DefaultIfEmpty(1).Average():F4}, min {consistencies.DefaultIfEmpty(1).Min():F4}; "
            + $"at the end {trueNeighbours} of {sim.AliveCount} nodes have their true left and right neighbours");
        Console.WriteLine($"routing: {pingsOk} of {pingsSent} routed pings answered, {unroutable} pairs without a route; mean hops {meanHops:F2} (0.5 log2 N = {0.5 * log2n:F2}); "
            + $"distribution {string.Join(' ', hops.OrderBy(h => h.Key).Select(h => $"{h.Key}:{h.Value}"))}");
        Console.WriteLine($"dht: {found} of {keys.Count} records readable after the churn ({keys.Count - found} lost)");
        Console.WriteLine($"cost: {clock.Elapsed.TotalSeconds:F0} s wall for {sim.Scheduler.Now.TotalSeconds:F0} s virtual, "
            + $"{sim.Scheduler.EventsRun / Math.Max(1, clock.Elapsed.TotalSeconds):F0} events/s, RSS {ProcessMemory.ResidentBytes() / 1048576.0:F0} MB, "
            + $"{ProcessMemory.ResidentBytes() / 1024.0 / Math.Max(1, sim.AliveCount):F0} KB per node ({GcHeap()}); "
            + $"GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen 0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:F0} s, allocated {GC.GetTotalAllocatedBytes() / 1073741824.0:F1} GB");
        return 0;
    }

    /// <summary>The GC's view after its last collection: live heap, free space in it, and what it holds committed.</summary>
    private static string GcHeap()
    {
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        return $"GC heap {info.HeapSizeBytes / 1048576.0:F0} MB ({info.FragmentedBytes / 1048576.0:F0} MB free in it), committed {info.TotalCommittedBytes / 1048576.0:F0} MB";
    }

    private static T Option<T>(string[] args, string name, T fallback)
        where T : IParsable<T>
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && T.TryParse(args[at + 1], CultureInfo.InvariantCulture, out T? value) ? value : fallback;
    }

    private sealed class Simulation
    {
        private readonly Random _random;
        private readonly MemoryNetwork _network;
        private readonly NodeOptions _options;
        private readonly List<(OverlayNode Node, DhtNode Dht, string Name)> _alive = [];
        private readonly bool _realDh;
        private readonly Dictionary<Address, TimeSpan> _joinedAt = [];
        private readonly Dictionary<Address, TimeSpan> _diedAt = [];
        private int _created;

        public Simulation(int seed, bool realDh)
        {
            _realDh = realDh;
            _random = new Random(seed);
            Scheduler = new VirtualScheduler();
            _network = new MemoryNetwork(Scheduler, new Random(seed)) { Latency = TimeSpan.FromMilliseconds(20) };
            // Brunet's timings, with a coarser tick: the simulator's cost is events, and most ticks find nothing to do.
            _options = new NodeOptions { TickInterval = TimeSpan.FromMilliseconds(500) };
        }

        public VirtualScheduler Scheduler { get; }

        public int AliveCount => _alive.Count;

        public void AddNode()
        {
            byte[] keys = new byte[64];
            _random.NextBytes(keys);
            NodeIdentity identity = _realDh
                ? NodeIdentity.FromPrivateKeys(keys.AsSpan(0, 32), keys.AsSpan(32, 32))
                : NodeIdentity.ForSimulation(keys.AsSpan(0, 32), keys.AsSpan(32, 32));
            string name = $"n{_created++}";
            MemoryEdgeListener listener = _network.CreateListener(name);
            IReadOnlyList<TransportAddress> remotes = _alive.Count == 0
                ? []
                : [.. Enumerable.Range(0, 2).Select(_ => TransportAddress.Memory(_alive[_random.Next(_alive.Count)].Name)).Distinct()];
            var node = new OverlayNode(identity, "sim", [listener], remotes, Scheduler, _options, NullLogger.Instance, _random.Next());
            var dht = new DhtNode(new DhtHost(node), new DhtOptions(), databasePath: null, new Random(_random.Next()));
            node.Start();
            dht.Start();
            _alive.Add((node, dht, name));
            _joinedAt[node.Address] = Scheduler.Now;
        }

        public int Churn(int count)
        {
            for (int i = 0; i < count && _alive.Count > 2; i++)
            {
                int index = _random.Next(_alive.Count);
                (OverlayNode node, _, string name) = _alive[index];
                node.Halt();
                _network.Crash(name);
                _diedAt[node.Address] = Scheduler.Now;
                _alive.RemoveAt(index);
            }
            for (int i = 0; i < count; i++)
            {
                AddNode();
            }
            return count;
        }

        public void Diagnose()
        {
            var alive = _alive.ToDictionary(a => a.Node.Address, a => a.Node);
            var sorted = alive.Keys.OrderBy(a => a).ToList();
            RingConsistency.Result result = Consistency();
            // Why each inconsistent node is: one of its four nearest links is to a dead node (how long dead), or one
            // of its four true nearest is not linked (how long since that node joined), or neither.
            var deadFor = new List<double>();
            var joinedFor = new List<double>();
            int neither = 0;
            var index = new Dictionary<Address, int>(sorted.Count);
            for (int k = 0; k < sorted.Count; k++)
            {
                index[sorted[k]] = k;
            }
            foreach (Address bad in result.Inconsistent)
            {
                ConnectionTable t = alive[bad].Connections;
                int i = index[bad];
                Address?[] views = [t.Right(0)?.Peer, t.Right(1)?.Peer, t.Left(0)?.Peer, t.Left(1)?.Peer];
                Address? dead = views.FirstOrDefault(v => v is { } a && !alive.ContainsKey(a));
                Address[] truth = [sorted[(i + 1) % sorted.Count], sorted[(i + 2) % sorted.Count], sorted[(i - 1 + sorted.Count) % sorted.Count], sorted[(i - 2 + sorted.Count) % sorted.Count]];
                Address? missing = truth.Cast<Address?>().FirstOrDefault(a => !t.Contains(a!.Value));
                if (dead is { } d)
                {
                    deadFor.Add((Scheduler.Now - _diedAt[d]).TotalSeconds);
                }
                else if (missing is { } m)
                {
                    joinedFor.Add((Scheduler.Now - _joinedAt[m]).TotalSeconds);
                    if (joinedFor.Count <= 8)
                    {
                        OverlayNode node = alive[bad];
                        OverlayNode other = alive[m];
                        string S(Address? a) => a is { } x ? x.ToShortString() + (alive.ContainsKey(x) ? "" : "(dead)") : "-";
                        Console.WriteLine($"   missing {bad.ToShortString()} -> {m.ToShortString()} (true #{Array.IndexOf(truth, m)}: r1 r2 l1 l2): "
                            + $"age={(Scheduler.Now - _joinedAt[bad]).TotalSeconds:F0}s joined={node.IsJoined} walk={WalkRoute(alive, node, bad, RoutingMode.Annealing)?.ToString() ?? "none"} attempt={node.IsLinkingTo(m)} failed={node.HasFailed(m)} knowsAddresses={node.KnowsAddresses(m)} reverse={other.Connections.Contains(bad)} "
                            + $"view r={S(t.Right(0)?.Peer)},{S(t.Right(1)?.Peer)} l={S(t.Left(0)?.Peer)},{S(t.Left(1)?.Peer)}; "
                            + $"other r={S(other.Connections.Right(0)?.Peer)},{S(other.Connections.Right(1)?.Peer)} l={S(other.Connections.Left(0)?.Peer)},{S(other.Connections.Left(1)?.Peer)} links={t.Count}/{other.Connections.Count}");
                    }
                }
                else
                {
                    neither++;
                }
            }
            string Summary(List<double> ages) => ages.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture,
                $"{ages.Count} (age s: median {ages.Order().ElementAt(ages.Count / 2):F0}, max {ages.Max():F0}, over 30 s {ages.Count(a => a > 30)})");
            Console.WriteLine($"diagnose: {result.Inconsistent.Count} inconsistent nodes; linked to a dead node {Summary(deadFor)}; "
                + $"a true neighbour not linked {Summary(joinedFor)}; neither {neither}");
            foreach (Address bad in result.Inconsistent.Take(10))
            {
                OverlayNode node = alive[bad];
                int i = sorted.IndexOf(bad);
                ConnectionTable t = node.Connections;
                string Name(Address? a) => a is { } x ? x.ToShortString() + (alive.ContainsKey(x) ? "" : "(dead)") : "-";
                foreach (Connection c in t.Clockwise.Where(c => !alive.ContainsKey(c.Peer)))
                {
                    var pe = (PeerEdge)c.Edge;
                    Console.WriteLine($"   stale link to {c.Peer.ToShortString()}: types {c.LocalTypes}/{c.RemoteTypes} ping={pe.PingOutstanding} idle={Scheduler.GetElapsedTime(pe.LastHeard).TotalSeconds:F0}s age={Scheduler.GetElapsedTime(pe.Created).TotalSeconds:F0}s closeAt={pe.CloseAt} closed={pe.Secure.IsClosed} est={pe.Secure.IsEstablished} pending={node.Rpc.PendingCount} kind={pe.Kind}");
                }
                Console.WriteLine($"diag {bad.ToShortString()} joined={node.IsJoined} links={t.Count} right={Name(t.Right(0)?.Peer)} trueRight={sorted[(i + 1) % sorted.Count].ToShortString()} left={Name(t.Left(0)?.Peer)} trueLeft={sorted[(i - 1 + sorted.Count) % sorted.Count].ToShortString()} edges={node.EdgeCount}");
            }
        }

        public double MeanLinks() => _alive.Average(a => a.Node.Connections.Count);

        /// <summary>Nodes whose nearest link on each side is the true neighbour on the ring of live nodes.</summary>
        public int CountTrueNeighbours()
        {
            var sorted = _alive.Select(a => a.Node).OrderBy(n => n.Address).ToList();
            int count = 0;
            for (int i = 0; i < sorted.Count; i++)
            {
                ConnectionTable t = sorted[i].Connections;
                count += t.Right(0)?.Peer == sorted[(i + 1) % sorted.Count].Address
                    && t.Left(0)?.Peer == sorted[(i - 1 + sorted.Count) % sorted.Count].Address ? 1 : 0;
            }
            return count;
        }

        public RingConsistency.Result Consistency()
        {
            var views = new Dictionary<Address, NeighbourView>(_alive.Count);
            foreach ((OverlayNode node, _, _) in _alive)
            {
                ConnectionTable table = node.Connections;
                views[node.Address] = new NeighbourView(table.Right(0)?.Peer, table.Right(1)?.Peer, table.Left(0)?.Peer, table.Left(1)?.Peer);
            }
            return RingConsistency.Check(views);
        }

        public List<string> PutRecords(int count)
        {
            var tasks = new List<(string Key, Task<DhtPutResult> Put)>();
            for (int i = 0; i < count; i++)
            {
                string key = $"sim:record:{i}";
                DhtNode writer = _alive[_random.Next(_alive.Count)].Dht;
                tasks.Add((key, writer.PutAsync(key, Encoding.UTF8.GetBytes($"value {i}"), TimeSpan.FromHours(2))));
            }
            RunUntil(() => tasks.All(t => t.Put.IsCompleted), TimeSpan.FromMinutes(2));
            return [.. tasks.Where(t => t.Put.IsCompletedSuccessfully && t.Put.Result.IsOk).Select(t => t.Key)];
        }

        public int CountReadable(List<string> keys)
        {
            var reads = keys.Select(k => (Key: k, Get: _alive[_random.Next(_alive.Count)].Dht.GetAsync(k))).ToList();
            RunUntil(() => reads.All(r => r.Get.IsCompleted), TimeSpan.FromMinutes(2));
            return reads.Count(r => r.Get.IsCompletedSuccessfully && r.Get.Result.Count > 0);
        }

        /// <summary>
        /// Sends <paramref name="pings"/> routed pings between random pairs and counts the answers; the hops of each
        /// pair are counted by walking the real routing decision (<see cref="Router.Decide"/> on each node's table,
        /// as <c>OverlayNode</c> forwards) from the source to the destination, so the maintenance traffic routed
        /// meanwhile does not mix into the distribution. A walk that finds no next hop counts as unroutable.
        /// </summary>
        public (Dictionary<int, int> Hops, int Ok, int Sent, int Unroutable) MeasureHops(int pings)
        {
            var byAddress = _alive.ToDictionary(a => a.Node.Address, a => a.Node);
            var hops = new Dictionary<int, int>();
            int ok = 0;
            int done = 0;
            int unroutable = 0;
            for (int i = 0; i < pings; i++)
            {
                OverlayNode from = _alive[_random.Next(_alive.Count)].Node;
                OverlayNode to = _alive[_random.Next(_alive.Count)].Node;
                if (WalkRoute(byAddress, from, to.Address) is int count)
                {
                    hops[count] = hops.GetValueOrDefault(count) + 1;
                }
                else
                {
                    unroutable++;
                }
                from.Rpc.Call(RpcTarget.Routed(to.Address), Methods.Ping, [], result =>
                {
                    done++;
                    ok += result.IsOk ? 1 : 0;
                });
            }
            RunUntil(() => done == pings, TimeSpan.FromMinutes(2));
            return (hops, ok, pings, unroutable);
        }

        private static int? WalkRoute(Dictionary<Address, OverlayNode> byAddress, OverlayNode from, Address destination, RoutingMode mode = RoutingMode.Exact)
        {
            OverlayNode at = from;
            for (int hops = 0; hops < RoutedHeader.DefaultTtl; hops++)
            {
                RouteDecision decision = Router.Decide(at.Connections, new RouteInfo(mode, from.Address, destination));
                if (decision.DeliverLocally)
                {
                    return hops;
                }
                if (decision.NextHop is not { } next || !byAddress.TryGetValue(next.Peer, out OverlayNode? peer))
                {
                    return null;   // no route, or a link to a node that is gone
                }
                at = peer;
            }
            return null;
        }

        private void RunUntil(Func<bool> done, TimeSpan limit)
        {
            TimeSpan end = Scheduler.Now + limit;
            while (!done() && Scheduler.Now < end)
            {
                Scheduler.RunFor(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
