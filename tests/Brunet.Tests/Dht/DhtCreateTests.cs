using System.Text;
using Brunet.Dht;

namespace Brunet.Tests.Dht;

public sealed class DhtCreateTests
{
    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(3, true)]
    [TestCase(4, true)]
    [TestCase(5, true)]
    [TestCase(6, true)]
    [TestCase(7, true)]
    [TestCase(8, true)]
    public async Task CreateAsync_TenNodesRaceForOneKey_ExactlyOneWinsAndAllReadsAgree(int seed, bool shuffle)
    {
        await using var network = new FakeDhtNetwork(seed) { Shuffle = shuffle };
        network.AddHosts(16);
        network.Run(TimeSpan.FromSeconds(2));
        List<FakeDhtHost> racers = [.. network.Alive.Take(10)];
        // Every Create is issued before any message is delivered.
        List<Task<DhtPutResult>> creates = [.. racers.Select((h, i) =>
            h.Dht.CreateAsync("dhcp:demo:100.64.0.7", Encoding.UTF8.GetBytes($"node {i}"), TimeSpan.FromHours(1)))];
        network.Run(TimeSpan.FromMinutes(3));
        TestContext.Out.WriteLine($"refused stores: {network.Alive.Sum(h => h.Dht.Refused)}, accepted by the winner: {creates.Select(t => t.Result.Accepted).Max()}");
        Assert.That(creates.All(t => t.IsCompleted), Is.True, $"seed {seed}");
        List<DhtPutResult> results = [.. creates.Select(t => t.Result)];
        int winner = results.FindIndex(r => r.IsOk);
        Assert.Multiple(() =>
        {
            Assert.That(results.Count(r => r.IsOk), Is.EqualTo(1), $"seed {seed}: {string.Join("; ", results)}");
            Assert.That(results.Where(r => !r.IsOk).All(r => r.Status == DhtPutStatus.HeldByAnother), Is.True, $"seed {seed}: {string.Join("; ", results)}");
        });
        byte[] winning = Encoding.UTF8.GetBytes($"node {winner}");
        Assert.That(results.Where(r => r.Holder is not null).All(r => r.Holder!.Value.SequenceEqual(winning)), Is.True, "losers name the winner");
        network.Run(TimeSpan.FromSeconds(10));
        foreach (FakeDhtHost reader in network.Alive)
        {
            IReadOnlyList<DhtValue> values = network.Await(reader.Dht.GetAsync("dhcp:demo:100.64.0.7"));
            Assert.That(values.Select(v => Encoding.UTF8.GetString(v.Value)), Is.EqualTo(new[] { $"node {winner}" }), $"seed {seed}, reader {reader.Address.ToShortString()}");
            Assert.That(values[0].Writer, Is.EqualTo(racers[winner].Address));
        }
    }

    [Test]
    public async Task CreateAsync_SameWriterRenews_Succeeds()
    {
        await using var network = new FakeDhtNetwork(7);
        network.AddHosts(12);
        FakeDhtHost owner = network.Alive[0];
        Assert.That(network.Await(owner.Dht.CreateAsync("k", [1], TimeSpan.FromMinutes(1))).IsOk, Is.True);
        DhtPutResult renewed = network.Await(owner.Dht.CreateAsync("k", [1], TimeSpan.FromMinutes(1)));
        Assert.That(renewed.Status, Is.EqualTo(DhtPutStatus.Ok));
        // A write completes as soon as a majority of points accepted it (the rest store it too, later).
        Assert.That(renewed.Accepted, Is.GreaterThanOrEqualTo(network.Options.Majority));
    }

    [Test]
    public async Task CreateAsync_KeyHeldByAnother_ReturnsHolderValue()
    {
        await using var network = new FakeDhtNetwork(8);
        network.AddHosts(12);
        FakeDhtHost owner = network.Alive[0];
        FakeDhtHost other = network.Alive[1];
        Assert.That(network.Await(owner.Dht.CreateAsync("k", [1], TimeSpan.FromMinutes(10))).IsOk, Is.True);
        DhtPutResult create = network.Await(other.Dht.CreateAsync("k", [2], TimeSpan.FromMinutes(10)));
        DhtPutResult put = network.Await(other.Dht.PutAsync("k", [3], TimeSpan.FromMinutes(10)));
        Assert.Multiple(() =>
        {
            Assert.That(create.Status, Is.EqualTo(DhtPutStatus.HeldByAnother));
            Assert.That(create.Holder!.Value, Is.EqualTo(new byte[] { 1 }));
            Assert.That(create.Holder.Writer, Is.EqualTo(owner.Address));
            Assert.That(put.Status, Is.EqualTo(DhtPutStatus.HeldByAnother), "a Put over another's Create");
        });
        IReadOnlyList<DhtValue> values = network.Await(other.Dht.GetAsync("k"));
        Assert.That(values.Select(v => v.Value), Is.EqualTo(new[] { new byte[] { 1 } }));
    }

    [Test]
    public async Task CreateAsync_AfterOwnerRemoves_AnotherWriterWins()
    {
        await using var network = new FakeDhtNetwork(9);
        network.AddHosts(12);
        FakeDhtHost owner = network.Alive[0];
        FakeDhtHost other = network.Alive[1];
        Assert.That(network.Await(owner.Dht.CreateAsync("lease", [1], TimeSpan.FromMinutes(10))).IsOk, Is.True);
        Assert.That(network.Await(owner.Dht.RemoveAsync("lease", [1])).IsOk, Is.True);
        Assert.That(network.Await(other.Dht.GetAsync("lease")), Is.Empty);
        Assert.That(network.Await(other.Dht.CreateAsync("lease", [2], TimeSpan.FromMinutes(10))).IsOk, Is.True);
    }
}
