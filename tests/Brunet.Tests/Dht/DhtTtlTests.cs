using Brunet.Dht;

namespace Brunet.Tests.Dht;

public sealed class DhtTtlTests
{
    [Test]
    public async Task GetAsync_AfterTtl_ValueIsGone()
    {
        await using var network = new FakeDhtNetwork(11);
        network.AddHosts(10);
        FakeDhtHost writer = network.Alive[3];
        Assert.That(network.Await(writer.Dht.PutAsync("ttl", [7], TimeSpan.FromSeconds(60))).IsOk, Is.True);
        network.Run(TimeSpan.FromSeconds(30));
        IReadOnlyList<DhtValue> half = network.Await(network.Alive[5].Dht.GetAsync("ttl"));
        Assert.That(half, Has.Count.EqualTo(1));
        Assert.That(half[0].Remaining, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(30)).And.GreaterThan(TimeSpan.FromSeconds(25)));
        network.Run(TimeSpan.FromSeconds(31));
        Assert.That(network.Await(network.Alive[5].Dht.GetAsync("ttl")), Is.Empty);
        network.Run(network.Options.MaintenanceInterval);
        Assert.That(network.Alive.Sum(h => h.Dht.RecordCount), Is.Zero, "expired records are purged");
    }

    [Test]
    public async Task GetAsync_RenewedCreate_OutlivesFirstTtl()
    {
        await using var network = new FakeDhtNetwork(12);
        network.AddHosts(10);
        FakeDhtHost writer = network.Alive[0];
        Assert.That(network.Await(writer.Dht.CreateAsync("lease", [1], TimeSpan.FromSeconds(60))).IsOk, Is.True);
        network.Run(TimeSpan.FromSeconds(40));
        Assert.That(network.Await(writer.Dht.CreateAsync("lease", [1], TimeSpan.FromSeconds(60))).IsOk, Is.True);
        network.Run(TimeSpan.FromSeconds(40));
        IReadOnlyList<DhtValue> values = network.Await(network.Alive[4].Dht.GetAsync("lease"));
        Assert.That(values, Has.Count.EqualTo(1));
        Assert.That(values[0].Remaining, Is.GreaterThan(TimeSpan.FromSeconds(15)));
        DhtPutResult stolen = network.Await(network.Alive[4].Dht.CreateAsync("lease", [2], TimeSpan.FromSeconds(60)));
        Assert.That(stolen.Status, Is.EqualTo(DhtPutStatus.HeldByAnother));
    }

    [Test]
    public async Task GetAsync_SeveralWritersPutOneKey_ReturnsAllValues()
    {
        await using var network = new FakeDhtNetwork(13);
        network.AddHosts(10);
        for (int i = 0; i < 5; i++)
        {
            Assert.That(network.Await(network.Alive[i].Dht.PutAsync("many", [(byte)i], TimeSpan.FromMinutes(5))).IsOk, Is.True);
        }
        Assert.That(network.Await(network.Alive[0].Dht.PutAsync("many", [9], TimeSpan.FromMinutes(5))).IsOk, Is.True);
        IReadOnlyList<DhtValue> values = network.Await(network.Alive[7].Dht.GetAsync("many"));
        Assert.That(values.Select(v => v.Value[0]).Order(), Is.EqualTo(new byte[] { 0, 1, 2, 3, 4, 9 }));
    }
}
