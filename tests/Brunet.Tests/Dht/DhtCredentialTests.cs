using System.Buffers.Binary;
using System.Text;
using Brunet.Dht;
using Brunet.Messaging;
using Brunet.Security.Certificates;

namespace Brunet.Tests.Dht;

/// <summary>Records with a writer's credential: the codec, and the lease rule every holder applies (<see cref="LeaseRecordRule"/>).</summary>
public sealed class DhtCredentialTests
{
    private const long Now = 1_900_000_000_000;
    private const string LeaseKey = "dhcp:demo:100.64.0.9";
    private static readonly DhtOptions s_options = new();

    private ManualTimeProvider _time = null!;
    private GroupAuthority _demo = null!;
    private GroupAuthority _otherGroup = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _demo = GroupAuthority.Create("demo", _time);
        _otherGroup = GroupAuthority.Create("lab", _time);
    }

    [TearDown]
    public void TearDown()
    {
        _demo.Dispose();
        _otherGroup.Dispose();
    }

    private static DhtRecord Make(IDhtSigner signer, DhtRecordKind kind, string key, byte value, ulong sequence, byte[]? credential = null,
        long ttlMs = 60_000) =>
        DhtRecord.Create(signer, kind, Encoding.UTF8.GetBytes(key), [value], Now + ttlMs, sequence, credential);

    [Test]
    public void Read_WithCredential_RoundTripsSignedAndWithoutItKeepsTheOldForm()
    {
        using var member = new MemberSigner(_demo, "h1");
        DhtRecord plain = Make(member, DhtRecordKind.Create, LeaseKey, 1, 5);
        DhtRecord credentialed = Make(member, DhtRecordKind.Create, LeaseKey, 1, 5, member.Credential);
        byte[] plainBytes = plain.ToBytes();
        Assert.That(plainBytes[0], Is.EqualTo((byte)DhtRecordKind.Create), "no flag without a credential");
        Assert.That(plainBytes, Has.Length.EqualTo(DhtRecord.FixedSize + plain.Key.Length + 1));
        byte[] bytes = credentialed.ToBytes();
        Assert.That(bytes[0], Is.EqualTo((byte)DhtRecordKind.Create | DhtRecord.CredentialFlag));
        DhtRecord read = DhtRecord.Read(bytes, s_options.MaxKeyBytes, s_options.MaxValueBytes);
        Assert.Multiple(() =>
        {
            Assert.That(read.Kind, Is.EqualTo(DhtRecordKind.Create));
            Assert.That(read.Credential, Is.EqualTo(member.Credential));
            Assert.That(read.IsIdentical(credentialed), Is.True);
            Assert.That(read.Verify(Ed25519Verifier.Instance), Is.True);
            Assert.That(read.EncodedSize, Is.EqualTo(bytes.Length));
            Assert.That(DhtRecord.Read(plainBytes, s_options.MaxKeyBytes, s_options.MaxValueBytes).Credential, Is.Null);
        });
        // The signature covers the credential: another one in its place does not verify.
        using var other = new MemberSigner(_demo, "h2");
        var swapped = new DhtRecord(credentialed.Kind, credentialed.Key, credentialed.Value, credentialed.Writer, credentialed.SigningKey,
            credentialed.ExpiresUnixMs, credentialed.Sequence, credentialed.Signature, other.Credential);
        Assert.That(swapped.Verify(Ed25519Verifier.Instance), Is.False);
    }

    [Test]
    public void Read_MalformedOrOversizedCredential_Refused()
    {
        var signer = new Ed25519TestSigner(new Random(1));
        DhtRecord plain = Make(signer, DhtRecordKind.Put, "k", 1, 1);
        byte[] flaggedEmpty = WithCredentialField(plain, 0, []);
        byte[] oversized = WithCredentialField(plain, DhtRecord.MaxCredentialBytes + 1, new byte[DhtRecord.MaxCredentialBytes + 1]);
        byte[] truncated = WithCredentialField(plain, 100, new byte[10]);
        byte[] unknownKind = plain.ToBytes();
        unknownKind[0] = 4 | DhtRecord.CredentialFlag;
        foreach ((string name, byte[] bytes) in new[] { ("flagged but empty", flaggedEmpty), ("over 1 KiB", oversized), ("truncated", truncated), ("unknown kind", unknownKind) })
        {
            Assert.That(() => DhtRecord.Read(bytes, s_options.MaxKeyBytes, s_options.MaxValueBytes), Throws.InstanceOf<WireFormatException>(), name);
        }
        Assert.That(() => Make(signer, DhtRecordKind.Put, "k", 1, 1, new byte[DhtRecord.MaxCredentialBytes + 1]), Throws.ArgumentException);
        Assert.That(() => Make(signer, DhtRecordKind.Put, "k", 1, 1, []), Throws.ArgumentException);
    }

    /// <summary><paramref name="record"/>'s bytes with the flag set and a credential field of the given length prefix and bytes.</summary>
    private static byte[] WithCredentialField(DhtRecord record, int length, byte[] credential)
    {
        byte[] bytes = record.ToBytes();
        int split = bytes.Length - DhtRecord.SignatureSize;
        byte[] prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
        byte[] result = [.. bytes[..split], .. prefix, .. credential, .. bytes[split..]];
        result[0] |= DhtRecord.CredentialFlag;
        return result;
    }

    [Test]
    public void NamespaceOf_LeaseKeysOnly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LeaseRecordRule.NamespaceOf("dhcp:demo:100.64.0.9"u8), Is.EqualTo("demo"));
            Assert.That(LeaseRecordRule.NamespaceOf("dhcp:a:b:10.0.0.1"u8), Is.EqualTo("a:b"));
            Assert.That(LeaseRecordRule.NamespaceOf("dns:demo:h1"u8), Is.EqualTo("demo"));
            Assert.That(LeaseRecordRule.NamespaceOf("groupvpn:demo:crl"u8), Is.Null);
            Assert.That(LeaseRecordRule.NamespaceOf("dns:demo:"u8), Is.Null);
            Assert.That(LeaseRecordRule.NamespaceOf("dhcp:demo"u8), Is.Null);
            Assert.That(LeaseRecordRule.NamespaceOf("dhcp::10.0.0.1"u8), Is.Null);
            Assert.That(LeaseRecordRule.NamespaceOf("dhcp:demo:"u8), Is.Null);
        });
    }

    [Test]
    public void Apply_MemberCreate_DisplacesOutsidersRecordsWithoutCredential()
    {
        var random = new Random(2);
        var outsider = new Ed25519TestSigner(random);
        var other = new Ed25519TestSigner(random);
        using var member = new MemberSigner(_demo, "h1");
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(Make(outsider, DhtRecordKind.Create, LeaseKey, 1, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(member, DhtRecordKind.Create, LeaseKey, 2, 1), Now, out DhtRecord? conflict), Is.EqualTo(DhtStoreStatus.Conflict),
            "without its credential the member is first-come like anyone");
        Assert.That(conflict!.SameWriter(Make(outsider, DhtRecordKind.Put, LeaseKey, 1, 1)), Is.True);

        DhtRecord lease = Make(member, DhtRecordKind.Create, LeaseKey, 2, 2, member.Credential);
        Assert.That(store.Apply(lease, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        List<DhtRecord> held = store.Get(Encoding.UTF8.GetBytes(LeaseKey), Now);
        Assert.That(held, Has.Count.EqualTo(1));
        Assert.That(held[0].IsIdentical(lease), Is.True);
        Assert.That(store.RecordCount, Is.EqualTo(1));

        // The outsider cannot take it back: its Create and Put now conflict, its replayed record too.
        Assert.That(store.Apply(Make(outsider, DhtRecordKind.Create, LeaseKey, 1, 3), Now, out _), Is.EqualTo(DhtStoreStatus.Conflict));
        Assert.That(store.Apply(Make(other, DhtRecordKind.Put, LeaseKey, 3, 3), Now, out _), Is.EqualTo(DhtStoreStatus.Conflict));
        // The member renews with its credential (and without, since it holds the key).
        Assert.That(store.Apply(Make(member, DhtRecordKind.Create, LeaseKey, 2, 3, member.Credential, ttlMs: 120_000), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(member, DhtRecordKind.Create, LeaseKey, 2, 4, member.Credential, ttlMs: 180_000), Now + 1000, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Get(Encoding.UTF8.GetBytes(LeaseKey), Now + 1000).Single().Sequence, Is.EqualTo(4));
    }

    [Test]
    public void Apply_MemberCreate_NotBlockedByOutsidersFillingTheKey()
    {
        var random = new Random(3);
        var options = new DhtOptions { MaxValuesPerKey = 4 };
        using var member = new MemberSigner(_demo, "h1");
        using var store = new DhtStore(options, null);
        for (byte i = 0; i < 4; i++)
        {
            Assert.That(store.Apply(Make(new Ed25519TestSigner(random), DhtRecordKind.Put, LeaseKey, i, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        }
        Assert.That(store.Apply(Make(member, DhtRecordKind.Create, LeaseKey, 9, 1, member.Credential), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Get(Encoding.UTF8.GetBytes(LeaseKey), Now).Single().Credential, Is.Not.Null);
    }

    [Test]
    public void Apply_TwoMembers_FirstComeWins()
    {
        using var first = new MemberSigner(_demo, "h1");
        using var second = new MemberSigner(_demo, "h2");
        using var store = new DhtStore(s_options, null);
        DhtRecord held = Make(first, DhtRecordKind.Create, LeaseKey, 1, 1, first.Credential);
        Assert.That(store.Apply(held, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(second, DhtRecordKind.Create, LeaseKey, 2, 1, second.Credential), Now, out DhtRecord? conflict),
            Is.EqualTo(DhtStoreStatus.Conflict));
        Assert.That(conflict, Is.SameAs(held));
    }

    [Test]
    public void Apply_MemberOfAnotherGroup_StoredButDisplacesNothing()
    {
        var outsider = new Ed25519TestSigner(new Random(4));
        using var stranger = new MemberSigner(_otherGroup, "h9");
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(Make(outsider, DhtRecordKind.Create, LeaseKey, 1, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(stranger, DhtRecordKind.Create, LeaseKey, 2, 1, stranger.Credential), Now, out _), Is.EqualTo(DhtStoreStatus.Conflict),
            "group lab cannot displace in namespace demo");
        Assert.That(store.Apply(Make(stranger, DhtRecordKind.Create, "dhcp:lab:100.64.0.9", 2, 1, stranger.Credential), Now, out _),
            Is.EqualTo(DhtStoreStatus.Stored));
    }

    [Test]
    public void Apply_BadCredential_RefusedAsBadCredential()
    {
        using var member = new MemberSigner(_demo, "h1");
        using var thief = new MemberSigner(_demo, "h2");
        var outsider = new Ed25519TestSigner(new Random(5));
        using var store = new DhtStore(s_options, null);
        // Issued on 2030-01-01 for a minute: long expired at Now (March 2030), when the others are valid.
        byte[] expiredNow = MemberCredential.Create(_demo.Issue("h1", member.Identity, lifetime: TimeSpan.FromMinutes(1)), _demo.Certificate).Encode();
        var cases = new (string Name, DhtRecord Record)[]
        {
            ("junk", Make(outsider, DhtRecordKind.Create, LeaseKey, 1, 1, [1, 2, 3])),
            ("another member's credential", Make(outsider, DhtRecordKind.Create, LeaseKey, 1, 1, member.Credential)),
            ("a member's credential on another member's record", Make(thief, DhtRecordKind.Create, LeaseKey, 1, 1, member.Credential)),
            ("expired certificate", Make(member, DhtRecordKind.Create, LeaseKey, 1, 1, expiredNow)),
            ("junk on a tombstone", Make(outsider, DhtRecordKind.Delete, LeaseKey, 1, 1, [9])),
        };
        foreach ((string name, DhtRecord record) in cases)
        {
            Assert.That(store.Apply(record, Now, out _), Is.EqualTo(DhtStoreStatus.BadCredential), name);
        }
        Assert.That(store.RecordCount, Is.Zero);
        // Other keys carry a credential as opaque bytes.
        Assert.That(store.Apply(Make(outsider, DhtRecordKind.Put, "groupvpn:demo:crl", 1, 1, [1, 2, 3]), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
    }

    [Test]
    public void Apply_HostNameKey_MemberTakesItsOwnNameOnly()
    {
        var outsider = new Ed25519TestSigner(new Random(7));
        using var member = new MemberSigner(_demo, "h1");
        using var store = new DhtStore(s_options, null);
        Assert.That(store.Apply(Make(outsider, DhtRecordKind.Create, "dns:demo:h1", 1, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(outsider, DhtRecordKind.Create, "dns:demo:h2", 1, 1), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Apply(Make(member, DhtRecordKind.Create, "dns:demo:h2", 2, 1, member.Credential), Now, out _), Is.EqualTo(DhtStoreStatus.BadCredential),
            "h1's certificate does not name h2");
        Assert.That(store.Apply(Make(member, DhtRecordKind.Create, "dns:demo:h1", 2, 1, member.Credential), Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
        Assert.That(store.Get("dns:demo:h1"u8, Now).Single().Credential, Is.EqualTo(member.Credential));
    }

    [Test]
    public void Load_FromSqlite_KeepsCredential()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dht-credential-{Guid.NewGuid():N}.db");
        try
        {
            using var member = new MemberSigner(_demo, "h1");
            DhtRecord lease = Make(member, DhtRecordKind.Create, LeaseKey, 1, 1, member.Credential);
            using (var store = new DhtStore(s_options, path))
            {
                Assert.That(store.Apply(lease, Now, out _), Is.EqualTo(DhtStoreStatus.Stored));
            }
            using var reopened = new DhtStore(s_options, path);
            Assert.That(reopened.Load(Now), Is.EqualTo(1));
            Assert.That(reopened.Get(Encoding.UTF8.GetBytes(LeaseKey), Now).Single().Credential, Is.EqualTo(member.Credential));
        }
        finally
        {
            foreach (string file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Test]
    public async Task CreateAsync_OverNetwork_MemberDisplacesOutsiderAndHandoffCarriesTheCredential()
    {
        var random = new Random(6);
        await using var network = new FakeDhtNetwork(6, new DhtOptions());   // real Ed25519 checks
        for (int i = 0; i < 12; i++)
        {
            network.AddHost(new Ed25519TestSigner(random));
        }
        using var member = new MemberSigner(_demo, "h1");
        FakeDhtHost memberHost = network.AddHost(member);
        FakeDhtHost outsider = network.Alive[0];
        network.Run(TimeSpan.FromSeconds(2));
        byte[] key = Encoding.UTF8.GetBytes(LeaseKey);
        Assert.That(network.Await(outsider.Dht.CreateAsync(key, "outsider"u8.ToArray(), TimeSpan.FromMinutes(10))).IsOk, Is.True);
        DhtPutResult plain = network.Await(memberHost.Dht.CreateAsync(key, "member"u8.ToArray(), TimeSpan.FromMinutes(10)));
        Assert.That(plain.Status, Is.EqualTo(DhtPutStatus.HeldByAnother), "without a credential the squatter keeps it");
        DhtPutResult won = network.Await(memberHost.Dht.CreateAsync(key, "member"u8.ToArray(), TimeSpan.FromMinutes(10), member.Credential));
        Assert.That(won.IsOk, Is.True, won.Reason);
        Assert.That(won.Accepted, Is.GreaterThanOrEqualTo(network.Options.Majority));
        DhtPutResult back = network.Await(outsider.Dht.CreateAsync(key, "outsider"u8.ToArray(), TimeSpan.FromMinutes(10)));
        Assert.That(back.Status, Is.EqualTo(DhtPutStatus.HeldByAnother));
        Assert.That(back.Holder!.Credential, Is.EqualTo(member.Credential));

        // Handoff: new nodes join, then every node of before dies; only copies handed on remain, with the credential.
        List<FakeDhtHost> before = [.. network.Alive];
        for (int i = 0; i < 24; i++)
        {
            network.AddHost(new Ed25519TestSigner(random));
        }
        network.Run(TimeSpan.FromSeconds(10));
        network.KillMany(before);
        network.Run(TimeSpan.FromSeconds(10));
        FakeDhtHost reader = network.Alive[0];
        IReadOnlyList<DhtValue> values = network.Await(reader.Dht.GetAsync(key));
        Assert.That(values, Has.Count.EqualTo(1));
        Assert.That(Encoding.UTF8.GetString(values[0].Value), Is.EqualTo("member"));
        Assert.That(values[0].Credential, Is.EqualTo(member.Credential));
    }
}
