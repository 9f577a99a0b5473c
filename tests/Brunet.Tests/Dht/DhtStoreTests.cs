using System.Text;
using Brunet.Addressing;
using Brunet.Dht;

namespace Brunet.Tests.Dht;

public sealed class DhtStoreTests
{
    private static readonly DhtOptions s_options = new() { MaxRecordsPerWriter = 3, MaxValuesPerKey = 4 };
    private const long Now = 1_900_000_000_000;

    private static DhtRecord Make(IDhtSigner signer, DhtRecordKind kind, string key, byte value, ulong sequence, long ttlMs = 60_000) =>
        DhtRecord.Create(signer, kind, Encoding.UTF8.GetBytes(key), [value], Now + ttlMs, sequence);

    [Test]
    public void Apply_SignedByWrongKey_RefusedAsBadSignature()
    {
        var random = new Random(1);
        var owner = new Ed25519TestSigner(random);
        var forger = new Ed25519TestSigner(random);
        DhtRecord genuine = Make(owner, DhtRecordKind.Put, "k", 1, 10);
        // The owner's key and fields, the forger's signature over them.
        var forged = new DhtRecord(genuine.Kind, genuine.Key, genuine.Value, genuine.Writer, genuine.SigningKey,
            genuine.ExpiresUnixMs, genuine.Sequence, forger.Sign(genuine.SignedBytes()));
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(forged, Now, out _), Is.EqualTo(DhtStoreStatus.BadSignature));
        Assert.That(store.RecordCount, Is.Zero);
        Assert.That(store.Apply(genuine, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
    }

    [Test]
    public void Apply_TamperedField_RefusedAsBadSignature()
    {
        var owner = new Ed25519TestSigner(new Random(2));
        DhtRecord genuine = Make(owner, DhtRecordKind.Create, "k", 1, 10);
        var longer = new DhtRecord(genuine.Kind, genuine.Key, genuine.Value, genuine.Writer, genuine.SigningKey,
            genuine.ExpiresUnixMs + 1000, genuine.Sequence, genuine.Signature);
        var moved = new DhtRecord(genuine.Kind, genuine.Key, genuine.Value, Address.Zero, genuine.SigningKey,
            genuine.ExpiresUnixMs, genuine.Sequence, genuine.Signature);
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(longer, Now, out _), Is.EqualTo(DhtStoreStatus.BadSignature));
        Assert.That(store.Apply(moved, Now, out _), Is.EqualTo(DhtStoreStatus.BadSignature));
    }

    [Test]
    public void Apply_CreateOverKeyHeldByAnother_RefusedWithHolder()
    {
        var random = new Random(3);
        var owner = new Ed25519TestSigner(random);
        var other = new Ed25519TestSigner(random);
        using var store = new DhtStore(s_options, null);
        DhtRecord held = Make(owner, DhtRecordKind.Create, "lease", 1, 10);
        Assert.That(store.Apply(held, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(other, DhtRecordKind.Create, "lease", 2, 10), Now, out DhtRecord? conflict), Is.EqualTo(DhtStoreStatus.Conflict));
        Assert.That(conflict, Is.SameAs(held));
        Assert.That(store.Apply(Make(other, DhtRecordKind.Put, "lease", 2, 10), Now, out _), Is.EqualTo(DhtStoreStatus.Conflict));
        Assert.That(store.Apply(Make(owner, DhtRecordKind.Create, "lease", 1, 11), Now, out _), Is.EqualTo(DhtStoreStatus.Stored), "renewal");
        // Once the holder's record expires the key is free.
        Assert.That(store.Apply(Make(other, DhtRecordKind.Create, "lease", 2, 12, ttlMs: 120_000), Now + 61_000, out _), Is.EqualTo(DhtStoreStatus.Stored));
    }

    [Test]
    public void Apply_CreateOverOtherWritersPut_Refused()
    {
        var random = new Random(4);
        var a = new Ed25519TestSigner(random);
        var b = new Ed25519TestSigner(random);
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(Make(a, DhtRecordKind.Put, "k", 1, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(b, DhtRecordKind.Put, "k", 2, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(b, DhtRecordKind.Create, "k", 3, 2), Now, out _), Is.EqualTo(DhtStoreStatus.Conflict));
    }

    [Test]
    public void Apply_ReplayedOlderOrEqualSequence_Refused()
    {
        var owner = new Ed25519TestSigner(new Random(5));
        using var store = new DhtStore(s_options, null);
        DhtRecord first = Make(owner, DhtRecordKind.Put, "k", 1, 10);
        DhtRecord renewed = Make(owner, DhtRecordKind.Put, "k", 1, 20, ttlMs: 120_000);
        Assert.That(store.Apply(first, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(renewed, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(first, Now, out _), Is.EqualTo(DhtStoreStatus.Stale), "older sequence");
        Assert.That(store.Apply(Make(owner, DhtRecordKind.Put, "k", 1, 20, ttlMs: 200_000), Now, out _), Is.EqualTo(DhtStoreStatus.Stale), "equal sequence, other content");
        Assert.That(store.Apply(renewed, Now, out _), Is.EqualTo(DhtStoreStatus.Duplicate));
        DhtRecord tombstone = Make(owner, DhtRecordKind.Delete, "k", 1, 30, ttlMs: 120_000);
        Assert.That(store.Apply(tombstone, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(renewed, Now, out _), Is.EqualTo(DhtStoreStatus.Stale), "a value replayed over its tombstone");
        Assert.That(store.Get(Encoding.UTF8.GetBytes("k"), Now).Single().Kind, Is.EqualTo(DhtRecordKind.Delete));
    }

    [Test]
    public void Apply_ExpiredOrTooLongTtl_Refused()
    {
        var owner = new Ed25519TestSigner(new Random(6));
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(Make(owner, DhtRecordKind.Put, "k", 1, 1, ttlMs: -1), Now, out _), Is.EqualTo(DhtStoreStatus.Expired));
        long tooLong = (long)(s_options.MaxTtl + s_options.MaxClockSkew).TotalMilliseconds + 1;
        Assert.That(store.Apply(Make(owner, DhtRecordKind.Put, "k", 1, 1, ttlMs: tooLong), Now, out _), Is.EqualTo(DhtStoreStatus.TtlTooLong));
    }

    [Test]
    public void Apply_WriterOverQuotaOrKeyFull_Refused()
    {
        var random = new Random(7);
        var greedy = new Ed25519TestSigner(random);
        using var store = new DhtStore(s_options, null);
        for (byte i = 0; i < 3; i++)
        {
            Assert.That(store.Apply(Make(greedy, DhtRecordKind.Put, $"k{i}", i, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        }
        Assert.That(store.Apply(Make(greedy, DhtRecordKind.Put, "k9", 9, 1), Now, out _), Is.EqualTo(DhtStoreStatus.QuotaExceeded));
        Assert.That(store.Apply(Make(greedy, DhtRecordKind.Put, "k0", 0, 2), Now, out _), Is.EqualTo(DhtStoreStatus.Stored), "a renewal costs no quota");
        for (byte i = 0; i < 4; i++)
        {
            Assert.That(store.Apply(Make(new Ed25519TestSigner(random), DhtRecordKind.Put, "full", i, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        }
        Assert.That(store.Apply(Make(new Ed25519TestSigner(random), DhtRecordKind.Put, "full", 9, 1), Now, out _), Is.EqualTo(DhtStoreStatus.KeyFull));
    }

    [Test]
    public async Task StoreRpc_ForgedRecordOverNetwork_RefusedByEveryHolder()
    {
        var random = new Random(8);
        await using var network = new FakeDhtNetwork(8, new DhtOptions());   // real Ed25519 checks
        for (int i = 0; i < 10; i++)
        {
            network.AddHost(new Ed25519TestSigner(random));
        }
        FakeDhtHost victim = network.Alive[0];
        FakeDhtHost attacker = network.Alive[1];
        Assert.That(network.Await(victim.Dht.CreateAsync("dhcp:demo:10.0.0.1", [1], TimeSpan.FromMinutes(10))).IsOk, Is.True);
        // The attacker signs a tombstone for the victim's record with its own key but the victim's public key.
        DhtRecord genuine = DhtRecord.Create(victim.Signer, DhtRecordKind.Delete, Encoding.UTF8.GetBytes("dhcp:demo:10.0.0.1"), [1],
            network.Time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000, ulong.MaxValue);
        var forged = new DhtRecord(genuine.Kind, genuine.Key, genuine.Value, genuine.Writer, genuine.SigningKey,
            genuine.ExpiresUnixMs, genuine.Sequence, attacker.Signer.Sign(genuine.SignedBytes()));
        var statuses = new List<DhtStoreStatus>();
        foreach (Address point in DhtPlacement.Points(genuine.Key, 8))
        {
            attacker.Call(Brunet.Messaging.Rpc.RpcTarget.Routed(point, Brunet.Routing.RoutingMode.Closest), DhtMethods.Store,
                DhtWire.WriteStoreRequest(true, [forged]), r => statuses.Add(DhtWire.ReadStoreReply(r.Body, network.Options)[0].Status));
        }
        network.Run(TimeSpan.FromSeconds(5));
        Assert.That(statuses, Has.Count.EqualTo(8).And.All.EqualTo(DhtStoreStatus.BadSignature));
        IReadOnlyList<DhtValue> values = network.Await(attacker.Dht.GetAsync("dhcp:demo:10.0.0.1"));
        Assert.That(values.Single().Writer, Is.EqualTo(victim.Address));
        DhtPutResult steal = network.Await(attacker.Dht.CreateAsync("dhcp:demo:10.0.0.1", [2], TimeSpan.FromMinutes(10)));
        Assert.That(steal.Status, Is.EqualTo(DhtPutStatus.HeldByAnother));
    }
}
