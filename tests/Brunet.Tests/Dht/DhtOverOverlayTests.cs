using System.Text;
using Brunet.Dht;
using Brunet.Node;
using Brunet.Tests.Simulation;

namespace Brunet.Tests.Dht;

/// <summary>The DHT on real overlay nodes (secure edges, routing, RPC) in virtual time.</summary>
public class DhtOverOverlayTests
{
    private static (SimulatedRing Ring, List<DhtNode> Dhts) StartRing(int seed, int count)
    {
        var ring = new SimulatedRing(seed);
        for (int i = 0; i < count; i++)
        {
            ring.AddNode();
        }
        Assert.That(ring.RunUntilConsistent(TimeSpan.FromSeconds(60)), Is.Not.Null, "the ring did not form");
        var dhts = new List<DhtNode>();
        foreach (OverlayNode node in ring.Nodes)
        {
            var dht = new DhtNode(new DhtHost(node), new DhtOptions(), databasePath: null, new Random(seed + dhts.Count));
            dht.Start();
            dhts.Add(dht);
        }
        return (ring, dhts);
    }

    private static T Run<T>(SimulatedRing ring, Task<T> task, TimeSpan limit)
    {
        TimeSpan end = ring.Scheduler.Now + limit;
        while (!task.IsCompleted && ring.Scheduler.Now < end)
        {
            ring.Scheduler.RunFor(TimeSpan.FromMilliseconds(20));
            Thread.Yield();   // continuations of the DHT's tasks run on the thread pool
        }
        Assert.That(task.IsCompleted, Is.True, $"seed {ring.Seed}: no answer within {limit.TotalSeconds} s of virtual time");
        return task.Result;
    }

    [TestCase(11)]
    [TestCase(12)]
    public void Create_TenNodesRaceOverTheOverlay_ExactlyOneWinsAndAllReadsAgree(int seed)
    {
        (SimulatedRing ring, List<DhtNode> dhts) = StartRing(seed, 16);
        const string key = "dhcp:race:100.64.0.9";
        var creates = dhts.Take(10)
            .Select((d, i) => d.CreateAsync(key, Encoding.UTF8.GetBytes($"writer-{i}"), TimeSpan.FromMinutes(10)))
            .ToList();
        var results = creates.Select(c => Run(ring, c, TimeSpan.FromSeconds(60))).ToList();
        Assert.That(results.Count(r => r.IsOk), Is.EqualTo(1), $"seed {seed}: {string.Join(", ", results.Select(r => r.Status))}");
        string winner = $"writer-{results.FindIndex(r => r.IsOk)}";
        foreach (DhtNode reader in dhts)
        {
            IReadOnlyList<DhtValue> values = Run(ring, reader.GetAsync(key), TimeSpan.FromSeconds(30));
            Assert.That(values.Select(v => Encoding.UTF8.GetString(v.Value)), Is.EqualTo(new[] { winner }), $"seed {seed}");
        }
    }

    [Test]
    public void Get_AfterHalfTheNodesDie_RecordsSurvive()
    {
        (SimulatedRing ring, List<DhtNode> dhts) = StartRing(13, 32);
        for (int i = 0; i < 40; i++)
        {
            DhtPutResult put = Run(ring, dhts[i % 8].PutAsync($"k{i}", Encoding.UTF8.GetBytes($"v{i}"), TimeSpan.FromMinutes(30)), TimeSpan.FromSeconds(30));
            Assert.That(put.IsOk, Is.True, $"put k{i}: {put.Reason}");
        }
        var random = new Random(13);
        foreach (OverlayNode victim in ring.Nodes.Skip(1).OrderBy(_ => random.Next()).Take(16).ToList())
        {
            ring.Kill(victim);
        }
        Assert.That(ring.RunUntilConsistent(TimeSpan.FromSeconds(30)), Is.Not.Null, "the ring did not repair");
        ring.Scheduler.RunFor(TimeSpan.FromSeconds(35));   // a DHT maintenance pass hands records to new holders
        DhtNode reader = dhts[0];
        int lost = 0;
        for (int i = 0; i < 40; i++)
        {
            IReadOnlyList<DhtValue> values = Run(ring, reader.GetAsync($"k{i}"), TimeSpan.FromSeconds(30));
            if (!values.Any(v => Encoding.UTF8.GetString(v.Value) == $"v{i}"))
            {
                lost++;
            }
        }
        Assert.That(lost, Is.Zero, "records lost after half the ring died");
    }
}
