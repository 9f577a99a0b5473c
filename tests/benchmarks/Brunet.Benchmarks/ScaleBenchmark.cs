using System.Diagnostics;
using System.Globalization;
using System.Net;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Benchmarks;

/// <summary>N real nodes over UDP on 127.0.0.1 with the default NodeOptions: time to a correct ring, then memory.</summary>
internal static class ScaleBenchmark
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(120);

    /// <param name="withDht">Also run a DHT share on every node, as run_bootstrap_node does.</param>
    public static async Task RunAsync(int count, bool withDht = false)
    {
        var nodes = new List<OverlayNode>(count);
        var dhts = new List<Brunet.Dht.DhtNode>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var listener = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0));
            IReadOnlyList<TransportAddress> remotes = i == 0 ? [] : [nodes[0].TransportAddresses[0]];
            var loop = new SerialLoop(TimeProvider.System, NullLogger.Instance);
            var node = new OverlayNode(NodeIdentity.Generate(), "bench", [listener], remotes, loop, new NodeOptions(), NullLogger.Instance);
            nodes.Add(node);
            node.Start();
            if (i % 16 == 15)
            {
                await Task.Delay(50).ConfigureAwait(false);   // spread the joins a little, as run_bootstrap_node does
            }
        }
        Print("nodes", count.ToString(CultureInfo.InvariantCulture));
        Print("started_s", clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));

        double consistency = 0;
        bool converged = false;
        while (clock.Elapsed < s_limit)
        {
            consistency = Consistency(nodes);
            if (consistency == 1.0 && NeighboursAreTrue(nodes))
            {
                converged = true;
                break;
            }
            await Task.Delay(250).ConfigureAwait(false);
        }
        if (withDht)
        {
            foreach (OverlayNode node in nodes)
            {
                dhts.Add(await DhtHost.StartAsync(node, null).ConfigureAwait(false));
            }
        }
        Print("converged", converged ? "yes" : "no");
        Print("convergence_s", converged ? clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : $">{s_limit.TotalSeconds:F0}");
        Print("consistency", consistency.ToString("F3", CultureInfo.InvariantCulture));

        await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        GC.Collect();
        long rss = ProcessMemory.ResidentBytes();
        Print("rss_mb", (rss / 1048576.0).ToString("F1", CultureInfo.InvariantCulture));
        Print("rss_per_node_kb", (rss / 1024.0 / count).ToString("F0", CultureInfo.InvariantCulture));
        Print("managed_heap_mb", (GC.GetTotalMemory(false) / 1048576.0).ToString("F1", CultureInfo.InvariantCulture));
        Print("links_per_node", nodes.Average(n => n.Connections.Count).ToString("F2", CultureInfo.InvariantCulture));
        Print("consistency_after_settle", Consistency(nodes).ToString("F3", CultureInfo.InvariantCulture));
        // CPU at rest: the whole process's CPU time over 10 s of a settled ring (maintenance, pings, stabilization).
        TimeSpan cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        double cores = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / 10;
        Print("cpu_at_rest_cores", cores.ToString("F2", CultureInfo.InvariantCulture));

        await Task.WhenAll(nodes.Select(n => n.LeaveAsync())).ConfigureAwait(false);
    }

    private static void Print(string name, string value) => Console.WriteLine($"{name}: {value}");

    internal static double Consistency(List<OverlayNode> nodes)
    {
        var views = new Dictionary<Address, NeighbourView>();
        foreach (OverlayNode node in nodes)
        {
            ConnectionTable table = node.Connections;
            views[node.Address] = new NeighbourView(table.Right(0)?.Peer, table.Right(1)?.Peer, table.Left(0)?.Peer, table.Left(1)?.Peer);
        }
        return RingConsistency.Check(views).Consistency;
    }

    private static bool NeighboursAreTrue(List<OverlayNode> nodes)
    {
        var sorted = nodes.OrderBy(n => n.Address).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            ConnectionTable table = sorted[i].Connections;
            if (table.Right(0)?.Peer != sorted[(i + 1) % sorted.Count].Address
                || table.Left(0)?.Peer != sorted[(i - 1 + sorted.Count) % sorted.Count].Address)
            {
                return false;
            }
        }
        return true;
    }
}
