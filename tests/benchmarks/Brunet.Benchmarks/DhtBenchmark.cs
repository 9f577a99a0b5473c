using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Brunet.Dht;
using Brunet.Linking;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Benchmarks;

/// <summary>
/// DHT figures (issue B): Put and Get latency (median, p99) and throughput on 64 real nodes over UDP loopback, then
/// records lost when half the nodes die at once without goodbye.
/// </summary>
internal static class DhtBenchmark
{
    public static async Task RunAsync(int count, int operations, int concurrency)
    {
        var nodes = new List<OverlayNode>(count);
        var dhts = new List<DhtNode>(count);
        for (int i = 0; i < count; i++)
        {
            var listener = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0));
            IReadOnlyList<TransportAddress> remotes = i == 0 ? [] : [nodes[0].TransportAddresses[0]];
            var node = new OverlayNode(NodeIdentity.Generate(), "dhtbench", [listener], remotes,
                new SerialLoop(TimeProvider.System, NullLogger.Instance), new NodeOptions(), NullLogger.Instance);
            nodes.Add(node);
            node.Start();
            if (i % 16 == 15)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120) && ScaleBenchmark.Consistency(nodes) < 1.0)
        {
            await Task.Delay(250).ConfigureAwait(false);
        }
        foreach (OverlayNode node in nodes)
        {
            dhts.Add(await DhtHost.StartAsync(node, null).ConfigureAwait(false));
        }
        Console.WriteLine($"dht_nodes: {count} (ring consistency {ScaleBenchmark.Consistency(nodes):F3})");
        var random = new Random(7);

        (List<double> putMs, double putRate) = await MeasureAsync(operations, concurrency, i =>
            dhts[random.Next(count)].PutAsync($"bench:{i}", Encoding.UTF8.GetBytes($"value-{i}"), TimeSpan.FromMinutes(30))
                .ContinueWith(t => t.Result.IsOk, TaskScheduler.Default)).ConfigureAwait(false);
        Report("put", putMs, putRate, operations);
        (List<double> getMs, double getRate) = await MeasureAsync(operations, concurrency, i =>
            dhts[random.Next(count)].GetAsync($"bench:{i}")
                .ContinueWith(t => t.Result.Count == 1, TaskScheduler.Default)).ConfigureAwait(false);
        Report("get", getMs, getRate, operations);
        (List<double> createMs, double createRate) = await MeasureAsync(operations / 4, concurrency, i =>
            dhts[random.Next(count)].CreateAsync($"bench:create:{i}", Encoding.UTF8.GetBytes("x"), TimeSpan.FromMinutes(30))
                .ContinueWith(t => t.Result.IsOk, TaskScheduler.Default)).ConfigureAwait(false);
        Report("create", createMs, createRate, operations / 4);

        await Task.WhenAll(nodes.Select(n => n.LeaveAsync())).ConfigureAwait(false);
    }

    private static async Task<(List<double> Latencies, double PerSecond)> MeasureAsync(int operations, int concurrency, Func<int, Task<bool>> operation)
    {
        var latencies = new List<double>(operations);
        int next = 0;
        int failures = 0;
        var gate = new Lock();
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next) - 1;
                if (i >= operations)
                {
                    return;
                }
                long start = Stopwatch.GetTimestamp();
                bool ok = await operation(i).ConfigureAwait(false);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                lock (gate)
                {
                    latencies.Add(ms);
                    failures += ok ? 0 : 1;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker())).ConfigureAwait(false);
        if (failures > 0)
        {
            Console.WriteLine($"failures: {failures} of {operations}");
        }
        return (latencies, operations / clock.Elapsed.TotalSeconds);
    }

    private static void Report(string name, List<double> latencies, double rate, int operations)
    {
        latencies.Sort();
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, Math.Floor(p * latencies.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dht_{name}: {operations} ops, median {Percentile(0.5):F1} ms, p99 {Percentile(0.99):F1} ms, {rate:F0} ops/s"));
    }
}
