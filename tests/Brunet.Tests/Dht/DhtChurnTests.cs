using System.Diagnostics;
using System.Text;
using Brunet.Dht;

namespace Brunet.Tests.Dht;

public sealed class DhtChurnTests
{
    [Test]
    public async Task GetAsync_HalfTheNodesDieAtOnce_EveryRecordSurvives()
    {
        var clock = Stopwatch.StartNew();
        await using var network = new FakeDhtNetwork(21);
        network.AddHosts(64);
        network.Run(TimeSpan.FromSeconds(2));
        const int records = 1000;
        List<Task<DhtPutResult>> puts = [.. Enumerable.Range(0, records).Select(i =>
            network.Pick().Dht.PutAsync($"key {i}", Encoding.UTF8.GetBytes($"value {i}"), TimeSpan.FromHours(1)))];
        network.Run(TimeSpan.FromSeconds(5));
        Assert.That(puts.All(p => p.IsCompleted && p.Result.IsOk), Is.True, "every put stored at a majority");
        TestContext.Out.WriteLine($"stored: {clock.Elapsed}, {network.Alive.Sum(h => h.Dht.RecordCount)} copies");
        Assert.That(network.Alive.Sum(h => h.Dht.RecordCount), Is.EqualTo(Enumerable.Range(0, records).Sum(i => network.Holders($"key {i}").Count)),
            "each point held by the two nodes around it (points sharing a node share its copy)");

        network.KillMany([.. network.Alive.OrderBy(_ => network.Random.Next()).Take(32)]);
        network.Run(TimeSpan.FromSeconds(10));   // handoff to the new holders

        List<Task<IReadOnlyList<DhtValue>>> gets = [.. Enumerable.Range(0, records).Select(i => network.Pick().Dht.GetAsync($"key {i}"))];
        network.Run(TimeSpan.FromSeconds(10));
        List<int> missing = [.. Enumerable.Range(0, records).Where(i =>
            !gets[i].IsCompleted || gets[i].Result.Count != 1 || Encoding.UTF8.GetString(gets[i].Result[0].Value) != $"value {i}")];
        TestContext.Out.WriteLine($"read: {clock.Elapsed}, {network.Delivered} messages");
        Assert.That(missing, Is.Empty, $"seed {network.Seed}");
    }

    [Test]
    public async Task GetAsync_AfterBurstOfJoinsAndOldNodesGone_EveryRecordReadable()
    {
        await using var network = new FakeDhtNetwork(22);
        network.AddHosts(32);
        network.Run(TimeSpan.FromSeconds(2));
        List<FakeDhtHost> original = [.. network.Alive];
        const int records = 300;
        List<Task<DhtPutResult>> puts = [.. Enumerable.Range(0, records).Select(i =>
            network.Pick().Dht.PutAsync($"join {i}", Encoding.UTF8.GetBytes($"v{i}"), TimeSpan.FromHours(1)))];
        network.Run(TimeSpan.FromSeconds(5));
        Assert.That(puts.All(p => p.IsCompleted && p.Result.IsOk), Is.True);

        network.AddHosts(32);
        network.Run(TimeSpan.FromSeconds(10));
        List<FakeDhtHost> joined = [.. network.Alive.Except(original)];
        Assert.That(joined.Sum(h => h.Dht.RecordCount), Is.GreaterThan(records * 4), "the new nodes received their share");

        // Readable from every node after the joins.
        foreach (FakeDhtHost reader in network.Alive)
        {
            int i = network.Random.Next(records);
            IReadOnlyList<DhtValue> values = network.Await(reader.Dht.GetAsync($"join {i}"));
            Assert.That(values.Select(v => Encoding.UTF8.GetString(v.Value)), Is.EqualTo(new[] { $"v{i}" }), reader.Address.ToShortString());
        }

        // With every original node gone, only what was handed to the joiners remains.
        network.KillMany(original);
        network.Run(TimeSpan.FromSeconds(10));
        List<Task<IReadOnlyList<DhtValue>>> gets = [.. Enumerable.Range(0, records).Select(i => network.Pick().Dht.GetAsync($"join {i}"))];
        network.Run(TimeSpan.FromSeconds(10));
        List<int> missing = [.. Enumerable.Range(0, records).Where(i => !gets[i].IsCompleted || gets[i].Result.Count != 1)];
        Assert.That(missing, Is.Empty, $"seed {network.Seed}");
    }

    [Test]
    public async Task RecordCount_NodesJoin_OldHoldersDropKeysTheyNoLongerHold()
    {
        await using var network = new FakeDhtNetwork(23);
        network.AddHosts(8);
        network.Run(TimeSpan.FromSeconds(2));
        for (int i = 0; i < 50; i++)
        {
            Assert.That(network.Await(network.Pick().Dht.PutAsync($"d{i}", [1], TimeSpan.FromHours(1))).IsOk, Is.True);
        }
        int before = network.Alive.Sum(h => h.Dht.RecordCount);
        network.AddHosts(56);
        network.Run(TimeSpan.FromSeconds(30));
        int after = network.Alive.Sum(h => h.Dht.RecordCount);
        // Each key: 8 points x 2 holders, fewer where points share a node; no node keeps keys it does not hold.
        Assert.That(after, Is.EqualTo(Enumerable.Range(0, 50).Sum(i => network.Holders($"d{i}").Count)));
        Assert.That(after, Is.GreaterThan(before));
    }
}
