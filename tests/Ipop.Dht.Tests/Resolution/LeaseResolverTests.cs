using System.Net;
using Brunet.Addressing;
using Ipop.Dhcp.Leases;
using Ipop.Dht.Leases;
using Ipop.Dht.Resolution;
using Ipop.Dht.Tests.Fakes;

namespace Ipop.Dht.Tests.Resolution;

public sealed class LeaseResolverTests
{
    private static readonly IPAddress s_ip = IPAddress.Parse("100.64.3.4");
    private static readonly Address s_alice = Address.FromHash([1]);
    private static readonly Address s_mallory = Address.FromHash([2]);

    private ManualTimeProvider _time = null!;
    private FakeLeaseStore _store = null!;
    private LeaseResolver _resolver = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _store = new FakeLeaseStore(_time);
        _resolver = new LeaseResolver(_store, "demo", _time);
    }

    [Test]
    public async Task ResolveAsync_LeasedAddress_ReturnsHolderAndCachesIt()
    {
        _store.Plant(LeaseKeys.For("demo", s_ip), s_alice.ToString(), s_alice, TimeSpan.FromMinutes(10));

        Assert.That(await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip)), Is.EqualTo(s_alice));
        Assert.That(await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip)), Is.EqualTo(s_alice));
        Assert.That(_store.Gets, Is.EqualTo(1), "the second answer comes from the cache");
        Assert.That(_resolver.TryGetCached(Ipv4Math.ToUInt32(s_ip), out Address? cached) && cached == s_alice, Is.True);
    }

    [Test]
    public async Task ResolveAsync_PositiveAnswerOlderThanItsTtl_AsksTheDhtAgain()
    {
        _store.Plant(LeaseKeys.For("demo", s_ip), s_alice.ToString(), s_alice, TimeSpan.FromMinutes(10));
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip));

        _time.Advance(LeaseResolver.PositiveTtl + TimeSpan.FromSeconds(1));

        Assert.That(_resolver.TryGetCached(Ipv4Math.ToUInt32(s_ip), out _), Is.False);
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip));
        Assert.That(_store.Gets, Is.EqualTo(2));
    }

    [Test]
    public async Task ResolveAsync_PrivateGroup_IgnoresLeaseOfNonMember()
    {
        var resolver = new LeaseResolver(_store, "demo", _time, policy: new TestPolicy(s_alice));
        IPAddress other = IPAddress.Parse("100.64.3.5");
        _store.Plant(LeaseKeys.For("demo", s_ip), s_mallory.ToString(), s_mallory, TimeSpan.FromMinutes(10));
        _store.Plant(LeaseKeys.For("demo", other), s_alice.ToString(), s_alice, TimeSpan.FromMinutes(10));

        Assert.That(await resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip)), Is.Null, "mallory's claim maps to nobody");
        Assert.That(await resolver.ResolveAsync(Ipv4Math.ToUInt32(other)), Is.EqualTo(s_alice));
        Assert.That(await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip)), Is.EqualTo(s_mallory), "the open policy counts any writer");
    }

    [Test]
    public async Task ResolveAsync_NoLease_CachedBrieflyAsNone()
    {
        uint ip = Ipv4Math.ToUInt32(s_ip);

        Assert.That(await _resolver.ResolveAsync(ip), Is.Null);
        Assert.That(_resolver.TryGetCached(ip, out Address? none), Is.True);
        Assert.That(none, Is.Null);

        _time.Advance(LeaseResolver.NegativeTtl + TimeSpan.FromMilliseconds(1));
        _store.Plant(LeaseKeys.For("demo", s_ip), s_alice.ToString(), s_alice, TimeSpan.FromMinutes(10));
        Assert.That(await _resolver.ResolveAsync(ip), Is.EqualTo(s_alice), "a new lease is seen once the negative answer expires");
    }

    [Test]
    public async Task ResolveAsync_RecordNamingAnotherNodeThanItsWriter_Ignored()
    {
        // Mallory writes "alice holds this address" to divert or blame: a lease only counts when its writer holds it.
        _store.Plant(LeaseKeys.For("demo", s_ip), s_alice.ToString(), s_mallory, TimeSpan.FromMinutes(10));

        Assert.That(await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip)), Is.Null);
    }

    [Test]
    public async Task ResolveAsync_PutInsteadOfCreate_Ignored()
    {
        _store.Plant(LeaseKeys.For("demo", s_ip), s_alice.ToString(), s_alice, TimeSpan.FromMinutes(10), isCreate: false);

        Assert.That(await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_ip)), Is.Null);
    }

    [Test]
    public async Task Lookup_Finishes_RaisesResolved()
    {
        _store.Plant(LeaseKeys.For("demo", s_ip), s_alice.ToString(), s_alice, TimeSpan.FromMinutes(10));
        var resolved = new TaskCompletionSource<(uint, Address?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _resolver.Resolved += (ip, node) => resolved.TrySetResult((ip, node));

        _resolver.Lookup(Ipv4Math.ToUInt32(s_ip));

        (uint ip, Address? node) = await resolved.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(ip, Is.EqualTo(Ipv4Math.ToUInt32(s_ip)));
        Assert.That(node, Is.EqualTo(s_alice));
    }
}
