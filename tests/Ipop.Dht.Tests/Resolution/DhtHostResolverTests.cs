using System.Net;
using Brunet.Addressing;
using Ipop.Dht.Leases;
using Ipop.Dht.Resolution;
using Ipop.Dht.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipop.Dht.Tests.Resolution;

public sealed class DhtHostResolverTests
{
    [Test]
    public async Task ResolveAsync_PublishedHost_ReturnsItsAddressCaseInsensitively()
    {
        var store = new FakeLeaseStore(TimeProvider.System);
        store.Plant("dns:demo:alice", "100.64.0.7", Address.Random(new Random(1)), TimeSpan.FromMinutes(5));
        var resolver = new DhtHostResolver(store, "demo");
        Assert.That(await resolver.ResolveAsync("Alice", CancellationToken.None), Is.EqualTo(IPAddress.Parse("100.64.0.7")));
        Assert.That(await resolver.ResolveAsync("bob", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ResolveAsync_PrivateGroup_IgnoresNameOfNonMember()
    {
        var store = new FakeLeaseStore(TimeProvider.System);
        Address member = Address.Random(new Random(3));
        store.Plant("dns:demo:alice", "100.64.0.7", Address.Random(new Random(4)), TimeSpan.FromMinutes(5));
        store.Plant("dns:demo:bob", "100.64.0.8", member, TimeSpan.FromMinutes(5));
        var resolver = new DhtHostResolver(store, "demo", new TestPolicy(member));
        Assert.That(await resolver.ResolveAsync("alice", CancellationToken.None), Is.Null, "a non-member's claim of a name");
        Assert.That(await resolver.ResolveAsync("bob", CancellationToken.None), Is.EqualTo(IPAddress.Parse("100.64.0.8")));
    }

    [Test]
    public async Task ResolveAsync_ValueIsNotAnIPv4Address_ReturnsNull()
    {
        var store = new FakeLeaseStore(TimeProvider.System);
        store.Plant("dns:demo:mallory", "not an address", Address.Random(new Random(2)), TimeSpan.FromMinutes(5));
        Assert.That(await new DhtHostResolver(store, "demo").ResolveAsync("mallory", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task RunAsync_LeaseArrives_PublishesHostNameWithTheAddress()
    {
        var store = new FakeLeaseStore(TimeProvider.System);
        var publisher = new HostNamePublisher(store, "demo", "Carol", TimeSpan.FromMinutes(10), TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task running = publisher.RunAsync(stop.Token);
        publisher.OnLeaseChanged(IPAddress.Parse("100.64.0.9"));
        while (store.ValueOf("dns:demo:carol") is null && !stop.IsCancellationRequested)
        {
            await Task.Delay(50);
        }
        Assert.That(store.ValueOf("dns:demo:carol"), Is.EqualTo("100.64.0.9"));
        Assert.That(await new DhtHostResolver(store, "demo").ResolveAsync("carol", CancellationToken.None), Is.EqualTo(IPAddress.Parse("100.64.0.9")));
        await stop.CancelAsync();
        Assert.That(async () => await running, Throws.InstanceOf<OperationCanceledException>());
    }
}
