using System.Net;
using System.Net.NetworkInformation;
using Brunet.Addressing;
using Ipop.Dhcp.Leases;
using Ipop.Dht.Leases;
using Ipop.Dht.Tests.Fakes;

namespace Ipop.Dht.Tests.Leases;

public sealed class DhtAddressAllocatorTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(600);
    private static readonly PhysicalAddress s_mac = PhysicalAddress.Parse("02-00-00-00-00-42");

    private ManualTimeProvider _time = null!;
    private FakeLeaseStore _store = null!;
    private string _folder = "";

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _store = new FakeLeaseStore(_time);
        _folder = Directory.CreateTempSubdirectory("gv-alloc-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task AllocateAsync_FreeRange_CreatesLeaseNamingThisNode()
    {
        string self = NodeText(1);
        using DhtAddressAllocator allocator = Allocator(self);

        IPAddress? address = await allocator.AllocateAsync(s_mac, null, CancellationToken.None);

        Assert.That(address, Is.Not.Null);
        Assert.That(_store.ValueOf(LeaseKeys.For("demo", address!)), Is.EqualTo(self));
        Assert.That(allocator.Current, Is.EqualTo(address));
        Assert.That(address!.ToString(), Does.StartWith("100.64."));
    }

    [Test]
    public async Task AllocateAsync_RequestedAddressHeldByAnother_TakesAFreeOne()
    {
        IPAddress wanted = IPAddress.Parse("100.64.7.7");
        await _store.CreateAsync(LeaseKeys.For("demo", wanted), NodeText(2), s_lease, CancellationToken.None);
        using DhtAddressAllocator allocator = Allocator(NodeText(1));

        IPAddress? address = await allocator.AllocateAsync(s_mac, wanted, CancellationToken.None);

        Assert.That(address, Is.Not.Null.And.Not.EqualTo(wanted));
        Assert.That(_store.ValueOf(LeaseKeys.For("demo", wanted)), Is.EqualTo(NodeText(2)), "the other node's lease must stay");
    }

    [Test]
    public async Task AllocateAsync_PrivateGroup_SkipsAddressesHeldByNonMembersAndLogsOnce()
    {
        IPAddress wanted = IPAddress.Parse("100.64.7.7");
        Address outsider = Address.FromHash([9]);
        _store.Plant(LeaseKeys.For("demo", wanted), outsider.ToString(), outsider, s_lease);
        var logger = new ListLogger();
        Address self = Address.FromHash([1]);
        using var allocator = new DhtAddressAllocator(_store, "demo", Pool(), self.ToString(), s_lease, null, null, _time, logger, new TestPolicy(self));

        IPAddress? first = await allocator.AllocateAsync(s_mac, wanted, CancellationToken.None);
        await allocator.ReleaseAsync(s_mac, first!, CancellationToken.None);
        IPAddress? second = await allocator.AllocateAsync(s_mac, wanted, CancellationToken.None);

        Assert.That(first, Is.Not.Null.And.Not.EqualTo(wanted));
        Assert.That(second, Is.Not.Null.And.Not.EqualTo(wanted));
        Assert.That(logger.Messages.Count(m => m.Contains("outside the group", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", logger.Messages));
    }

    [Test]
    public async Task AllocateAsync_RequestedAddressFree_GetsIt()
    {
        IPAddress wanted = IPAddress.Parse("100.64.7.7");
        using DhtAddressAllocator allocator = Allocator(NodeText(1));

        Assert.That(await allocator.AllocateAsync(s_mac, wanted, CancellationToken.None), Is.EqualTo(wanted));
    }

    [Test]
    public async Task AllocateAsync_AfterRestart_AsksForTheRememberedAddressFirst()
    {
        string self = NodeText(1);
        IPAddress? first;
        using (DhtAddressAllocator before = Allocator(self))
        {
            first = await before.AllocateAsync(s_mac, null, CancellationToken.None);
        }
        Assert.That(File.Exists(LeaseFilePath), Is.True, "the lease is kept on disk");
        var forgetfulDht = new FakeLeaseStore(_time);    // even if the DHT forgot it, the host asks for it first
        using var after = new DhtAddressAllocator(forgetfulDht, "demo", Pool(), self, s_lease, LeaseFilePath, null, _time);

        IPAddress? second = await after.AllocateAsync(s_mac, null, CancellationToken.None);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(forgetfulDht.Creates, Is.EqualTo(1), "the remembered address is the first one tried");
    }

    [Test]
    public async Task AllocateAsync_SmallRange_NeverLeasesNetworkGatewayBroadcastOrReserved()
    {
        // 10.1.2.0/29: .0 network, .1 gateway, .7 broadcast, .3 reserved: .2 .4 .5 .6 are leasable.
        var pool = new AddressPool(IPAddress.Parse("10.1.2.0"), IPAddress.Parse("255.255.255.248"), [IPAddress.Parse("10.1.2.3")], new Random(7));
        var leased = new List<IPAddress>();
        for (int i = 1; i <= 5; i++)
        {
            using var allocator = new DhtAddressAllocator(_store, "demo", pool, NodeText(i), s_lease, null, null, _time);
            if (await allocator.AllocateAsync(s_mac, null, CancellationToken.None) is { } address)
            {
                leased.Add(address);
            }
        }

        Assert.That(leased.Select(a => a.ToString()), Is.EquivalentTo(new[] { "10.1.2.2", "10.1.2.4", "10.1.2.5", "10.1.2.6" }),
            "four hosts get the four leasable addresses, the fifth none");
    }

    [Test]
    public async Task AllocateAsync_DhtFailsOnce_TriesAnotherCandidate()
    {
        _store.FailCreates = 1;
        using DhtAddressAllocator allocator = Allocator(NodeText(1));

        Assert.That(await allocator.AllocateAsync(s_mac, null, CancellationToken.None), Is.Not.Null);
        Assert.That(_store.Creates, Is.EqualTo(2));
    }

    [Test]
    public async Task MaintainOnceAsync_HalfTheLeasePassed_RecreatesTheSameLease()
    {
        using DhtAddressAllocator allocator = Allocator(NodeText(1));
        await allocator.MaintainOnceAsync(CancellationToken.None);
        IPAddress? held = allocator.Current;
        Assert.That(held, Is.Not.Null, "the first step takes a lease");
        Assert.That(_store.Creates, Is.EqualTo(1));

        _time.Advance(s_lease * 0.4);
        TimeSpan wait = await allocator.MaintainOnceAsync(CancellationToken.None);
        Assert.That(_store.Creates, Is.EqualTo(1), "not due yet");
        Assert.That(wait, Is.EqualTo(s_lease * 0.1).Within(TimeSpan.FromMilliseconds(1)));

        _time.Advance(s_lease * 0.15);
        await allocator.MaintainOnceAsync(CancellationToken.None);
        Assert.That(_store.Creates, Is.EqualTo(2), "renewed at half the lease");
        Assert.That(allocator.Current, Is.EqualTo(held));

        _time.Advance(s_lease * 0.9);    // past the original expiry: still ours, thanks to the renewal
        Assert.That(_store.ValueOf(LeaseKeys.For("demo", held!)), Is.EqualTo(NodeText(1)));
    }

    [Test]
    public async Task RenewAsync_AddressHeldByAnother_Refused()
    {
        IPAddress taken = IPAddress.Parse("100.64.9.9");
        await _store.CreateAsync(LeaseKeys.For("demo", taken), NodeText(2), s_lease, CancellationToken.None);
        using DhtAddressAllocator allocator = Allocator(NodeText(1));

        Assert.That(await allocator.RenewAsync(s_mac, taken, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task RenewAsync_JustOffered_NoSecondDhtRoundTrip()
    {
        using DhtAddressAllocator allocator = Allocator(NodeText(1));
        IPAddress? offered = await allocator.AllocateAsync(s_mac, null, CancellationToken.None);

        Assert.That(await allocator.RenewAsync(s_mac, offered!, CancellationToken.None), Is.True);
        Assert.That(_store.Creates, Is.EqualTo(1));
    }

    [Test]
    public async Task ReleaseAsync_HeldAddress_RemovedFromTheDht()
    {
        using DhtAddressAllocator allocator = Allocator(NodeText(1));
        IPAddress? address = await allocator.AllocateAsync(s_mac, null, CancellationToken.None);

        await allocator.ReleaseAsync(s_mac, address!, CancellationToken.None);

        Assert.That(_store.ValueOf(LeaseKeys.For("demo", address!)), Is.Null);
        Assert.That(allocator.Current, Is.Null);
    }

    [Test]
    public async Task AllocateAsync_StaticAddress_CreatesOnlyThatAddress()
    {
        IPAddress fixedAddress = IPAddress.Parse("100.64.0.2");
        using var allocator = new DhtAddressAllocator(_store, "demo", Pool(), NodeText(1), s_lease, null, fixedAddress, _time);

        Assert.That(await allocator.AllocateAsync(s_mac, null, CancellationToken.None), Is.EqualTo(fixedAddress));
        Assert.That(_store.ValueOf(LeaseKeys.For("demo", fixedAddress)), Is.EqualTo(NodeText(1)), "registered so nobody else takes it");
    }

    [Test]
    public async Task AllocateAsync_StaticAddressTaken_GetsNothing()
    {
        IPAddress fixedAddress = IPAddress.Parse("100.64.0.2");
        await _store.CreateAsync(LeaseKeys.For("demo", fixedAddress), NodeText(2), s_lease, CancellationToken.None);
        using var allocator = new DhtAddressAllocator(_store, "demo", Pool(), NodeText(1), s_lease, null, fixedAddress, _time);

        Assert.That(await allocator.AllocateAsync(s_mac, null, CancellationToken.None), Is.Null);
        Assert.That(_store.Creates, Is.EqualTo(2), "no other address is tried");
    }

    [Test]
    public void Constructor_StaticAddressIsTheGateway_Throws() =>
        Assert.Throws<ArgumentException>(() => _ = new DhtAddressAllocator(
            _store, "demo", Pool(), NodeText(1), s_lease, null, IPAddress.Parse("100.64.0.1"), _time));

    private string LeaseFilePath => Path.Combine(_folder, LeaseFile.DefaultFileName);

    private DhtAddressAllocator Allocator(string self) =>
        new(_store, "demo", Pool(), self, s_lease, LeaseFilePath, null, _time);

    private static AddressPool Pool() =>
        new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [IPAddress.Parse("100.64.0.2")], new Random(1));

    internal static string NodeText(int i) => Address.FromHash([(byte)i]).ToString();
}
