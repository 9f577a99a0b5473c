using System.Diagnostics;
using System.Globalization;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging.Rpc;
using Brunet.Node;
using Brunet.Security;
using Brunet.Simulation;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Benchmarks;

/// <summary>
/// Routed exact-mode RPC pings between random node pairs on a simulated ring (virtual time, zero latency, one thread):
/// real nodes, real Noise transport encryption, routing and RPC; only the sockets are in memory.
/// </summary>
internal static class RoutingBenchmark
{
    public static void Run(int nodes, int pings, int inFlight)
    {
        const int seed = 64;
        var random = new Random(seed);
        var scheduler = new VirtualScheduler();
        var network = new MemoryNetwork(scheduler, new Random(seed)) { Latency = TimeSpan.Zero };
        var ring = new List<OverlayNode>(nodes);
        for (int i = 0; i < nodes; i++)
        {
            byte[] keys = new byte[64];
            random.NextBytes(keys);
            NodeIdentity identity = NodeIdentity.FromPrivateKeys(keys.AsSpan(0, 32), keys.AsSpan(32, 32));
            MemoryEdgeListener listener = network.CreateListener($"n{i}");
            IReadOnlyList<TransportAddress> remotes = i == 0 ? [] : [TransportAddress.Memory("n0")];
            var node = new OverlayNode(identity, "bench", [listener], remotes, scheduler, NodeOptions.Fast, NullLogger.Instance, random.Next());
            ring.Add(node);
            node.Start();
        }
        TimeSpan limit = TimeSpan.FromMinutes(10);
        while (scheduler.Now < limit && !IsConsistent(ring))
        {
            scheduler.RunFor(TimeSpan.FromMilliseconds(100));
        }
        // Let shortcuts form before measuring, so the hop count is the steady state's.
        scheduler.RunFor(TimeSpan.FromSeconds(30));
        Console.WriteLine($"routing_nodes: {nodes}");
        Console.WriteLine($"routing_ring_consistent: {(IsConsistent(ring) ? "yes" : "no")} at {scheduler.Now.TotalSeconds:F0} s virtual");
        Console.WriteLine($"routing_links_per_node: {ring.Average(n => n.Connections.Count).ToString("F2", CultureInfo.InvariantCulture)}");

        long forwardedBefore = ring.Sum(n => n.Counters.Forwarded);
        int issued = 0;
        int completed = 0;
        int failed = 0;
        void Issue()
        {
            OverlayNode from = ring[random.Next(nodes)];
            OverlayNode to = ring[random.Next(nodes)];
            while (to == from)
            {
                to = ring[random.Next(nodes)];
            }
            issued++;
            from.Rpc.Call(RpcTarget.Routed(to.Address), Methods.Ping, [], result =>
            {
                completed++;
                if (!result.IsOk)
                {
                    failed++;
                }
                if (issued < pings)
                {
                    Issue();
                }
            });
        }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < inFlight && issued < pings; i++)
        {
            Issue();
        }
        while (completed < pings && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            scheduler.RunFor(TimeSpan.FromMilliseconds(10));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long forwarded = ring.Sum(n => n.Counters.Forwarded) - forwardedBefore;
        // Each ping is two routed messages (request, reply); a message takes 1 hop plus one per forward.
        double messages = 2.0 * completed;
        Console.WriteLine($"routing_pings: {completed} ({failed} failed), {inFlight} in flight");
        Console.WriteLine($"routing_pings_per_s: {(completed / seconds).ToString("F0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"routing_messages_per_s: {(messages / seconds).ToString("F0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"routing_mean_hops: {(1 + (forwarded / messages)).ToString("F2", CultureInfo.InvariantCulture)}");
        foreach (OverlayNode node in ring)
        {
            node.Halt();
        }
    }

    private static bool IsConsistent(List<OverlayNode> ring)
    {
        var views = new Dictionary<Brunet.Addressing.Address, NeighbourView>();
        foreach (OverlayNode node in ring)
        {
            ConnectionTable table = node.Connections;
            views[node.Address] = new NeighbourView(table.Right(0)?.Peer, table.Right(1)?.Peer, table.Left(0)?.Peer, table.Left(1)?.Peer);
        }
        return RingConsistency.Check(views).Consistency == 1.0;
    }
}
