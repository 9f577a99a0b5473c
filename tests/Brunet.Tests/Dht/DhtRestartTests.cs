using Brunet.Dht;

namespace Brunet.Tests.Dht;

public sealed class DhtRestartTests
{
    [Test]
    public async Task DhtNode_RestartedFromSqliteFile_ServesLiveRecordsAndDropsExpired()
    {
        string folder = Directory.CreateTempSubdirectory("brunet-dht-").FullName;
        try
        {
            await using var network = new FakeDhtNetwork(31);
            FakeDhtHost node = network.AddHost(databasePath: Path.Combine(folder, "dht.sqlite"));
            network.Run(TimeSpan.FromSeconds(1));
            Assert.That(network.Await(node.Dht.PutAsync("short", [1], TimeSpan.FromSeconds(10))).IsOk, Is.True);
            Assert.That(network.Await(node.Dht.CreateAsync("long", [2], TimeSpan.FromHours(1))).IsOk, Is.True);
            network.Run(TimeSpan.FromSeconds(1));
            Assert.That(node.Dht.RecordCount, Is.EqualTo(2));

            network.Kill(node);
            network.Run(TimeSpan.FromSeconds(20));
            network.Restart(node);
            Assert.That(node.Dht.RecordCount, Is.EqualTo(1), "the expired record is dropped on load");
            FakeDhtHost reader = network.AddHost();
            network.Run(TimeSpan.FromSeconds(1));
            IReadOnlyList<DhtValue> values = network.Await(reader.Dht.GetAsync("long"));
            Assert.That(values.Single().Value, Is.EqualTo(new byte[] { 2 }));
            Assert.That(network.Await(reader.Dht.GetAsync("short")), Is.Empty);
            Assert.That(network.Await(reader.Dht.CreateAsync("long", [3], TimeSpan.FromHours(1))).Status, Is.EqualTo(DhtPutStatus.HeldByAnother));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
