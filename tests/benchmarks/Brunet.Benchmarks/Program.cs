using System.Globalization;

namespace Brunet.Benchmarks;

/// <summary>
/// Overlay figures for issue A. Commands: <c>scale N</c> (N real nodes over UDP loopback, default options),
/// <c>handshakes</c> (Noise XX handshakes per second), <c>routing</c> (routed RPC pings per second on 64 simulated nodes).
/// Each prints "name: value" lines that run-overlay-benchmarks.sh gathers into a table.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "";
        switch (command)
        {
            case "scale" when args.Length > 1 && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 2:
                await ScaleBenchmark.RunAsync(count, withDht: args.Contains("--dht")).ConfigureAwait(false);
                return 0;
            case "handshakes":
                HandshakeBenchmark.Run(TimeSpan.FromSeconds(3));
                return 0;
            case "dht":
                await DhtBenchmark.RunAsync(count: 64, operations: 1000, concurrency: 16).ConfigureAwait(false);
                return 0;
            case "datapath":
                await DataPathBenchmark.RunAsync(payload: 1200, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                return 0;
            case "simulate":
                return SimulateCommand.Run(args[1..]);
            case "routing":
                RoutingBenchmark.Run(nodes: 64, pings: 20_000, inFlight: 256);
                return 0;
            default:
                Console.Error.WriteLine("usage: Brunet.Benchmarks scale N | handshakes | routing | dht | datapath | simulate [--nodes N] [--churn PERCENT_PER_MIN] [--minutes M] [--records R] [--seed S] [--join-rate J] [--real-dh] [--diagnose]");
                return 2;
        }
    }
}
