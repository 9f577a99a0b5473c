using System.Diagnostics;
using System.Globalization;
using System.Net;
using Brunet.Messaging;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Benchmarks;

/// <summary>
/// The overlay data path between two nodes over a direct UDP link on loopback: packets of a VPN-sized payload sent
/// with <see cref="OverlayNode.SendData"/> (seal, UDP send queue, socket, receive loop, open, payload handler).
/// Prints packets and megabits per second received, and bytes allocated per packet (the goal is 0).
/// DATAPATH_THREADS=1 runs the listeners with dedicated threads, as groupvpn does.
/// </summary>
internal static class DataPathBenchmark
{
    public static async Task RunAsync(int payload, TimeSpan duration)
    {
        var a = Create([]);
        var b = Create([a.TransportAddresses[0]]);
        var clock = Stopwatch.StartNew();
        while (!a.Connections.Contains(b.Address) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
        long received = 0;
        b.SetPayloadHandler(PayloadType.IpPacket, (_, _, packet) => Interlocked.Increment(ref received));
        byte[] data = new byte[payload];
        long sent = 0;
        long dropped = 0;
        // Warm up, then measure.
        for (int i = 0; i < 20_000; i++)
        {
            a.SendData(b.Address, PayloadType.IpPacket, data, allowRouted: false);
        }
        await Task.Delay(200).ConfigureAwait(false);
        Interlocked.Exchange(ref received, 0);
        using var sampler = Environment.GetEnvironmentVariable("SAMPLE_ALLOCATIONS") is null ? null : new AllocationSampler();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
        while (clock.Elapsed < duration)
        {
            for (int i = 0; i < 256; i++)
            {
                if (a.SendData(b.Address, PayloadType.IpPacket, data, allowRouted: false) == OverlayNode.DataSend.NotSent)
                {
                    dropped++;
                    Thread.SpinWait(50);   // the bounded send queue is full: back off a little
                }
                else
                {
                    sent++;
                }
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(200).ConfigureAwait(false);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long got = Interlocked.Read(ref received);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"datapath: payload {payload} B, sent {sent / seconds:F0} pkt/s, received {got / seconds:F0} pkt/s = {got * payload * 8 / seconds / 1e6:F0} Mbit/s, queue-full {dropped}, allocated {allocated / Math.Max(1.0, sent + got):F1} B/packet"));
        if (sampler is not null)
        {
            foreach ((string type, long ticks) in sampler.ByType.OrderByDescending(t => t.Value).Take(12))
            {
                Console.WriteLine($"  allocation ticks {ticks,6} {type}");
            }
        }
        await a.LeaveAsync().ConfigureAwait(false);
        await b.LeaveAsync().ConfigureAwait(false);
    }

    // DATAPATH_THREADS=1: the listeners use dedicated receive and send threads (recvmmsg/sendmmsg), as groupvpn does.
    private static readonly UdpEdgeListenerOptions s_options = new()
    {
        DedicatedThreads = Environment.GetEnvironmentVariable("DATAPATH_THREADS") == "1",
        SocketReceiveBufferSize = 4 << 20,
        SocketSendBufferSize = 4 << 20,
    };

    private static OverlayNode Create(IReadOnlyList<TransportAddress> remotes)
    {
        var node = new OverlayNode(NodeIdentity.Generate(), "datapath", [new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0), options: s_options)], remotes,
            new SerialLoop(TimeProvider.System, NullLogger.Instance), new NodeOptions(), NullLogger.Instance);
        node.Start();
        return node;
    }
}
