using Brunet.Security;
using Brunet.Security.Certificates;
using Ipop.Dht.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipop.Dht.Tests.Security;

public sealed class RevocationSyncTests
{
    private sealed class MemoryStore : IRevocationStore
    {
        public Dictionary<string, List<byte[]>> Values { get; } = [];

        public Task<IReadOnlyList<byte[]>> GetAsync(string key, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<byte[]>>(Values.GetValueOrDefault(key) ?? []);

        public Task PutAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken)
        {
            List<byte[]> list = Values.TryGetValue(key, out List<byte[]>? existing) ? existing : Values[key] = [];
            if (!list.Any(v => v.AsSpan().SequenceEqual(value)))
            {
                list.Add(value);
            }
            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task SyncOnceAsync_AuthorityRevokesAMember_OtherMembersRefuseItAndRepublishTheList()
    {
        using GroupAuthority authority = GroupAuthority.Create("lab");
        using NodeIdentity alice = NodeIdentity.Generate();
        using NodeIdentity bob = NodeIdentity.Generate();
        GroupCertificate bobCertificate = authority.Issue("bob", bob);
        GroupMembership aliceView = GroupMembership.FromTrust(GroupTrust.Create(authority.Certificate, authority.Issue("alice", alice), alice));
        var bobPeer = new PeerIdentity(bob.Address, bob.StaticPublicKey.ToArray(), bob.SigningPublicKey.ToArray(), bobCertificate.Encode(), null);
        Assert.That(aliceView.Check(bobPeer), Is.Null, "bob is a member before the revocation");

        var store = new MemoryStore();
        var sync = new RevocationSync(store, aliceView, TimeProvider.System, NullLogger.Instance);
        bool changedEvent = false;
        sync.Changed += () => changedEvent = true;
        Assert.That(await sync.SyncOnceAsync(CancellationToken.None), Is.False, "nothing published yet");

        // The authority publishes a list naming bob's serial (ca revoke, then bput of its armoured text).
        RevocationList list = authority.Revoke([bobCertificate.Serial], sequence: 1);
        await store.PutAsync(aliceView.RevocationKey, System.Text.Encoding.ASCII.GetBytes(list.ToArmor()), TimeSpan.FromDays(1), CancellationToken.None);

        Assert.That(await sync.SyncOnceAsync(CancellationToken.None), Is.True);
        Assert.That(changedEvent, Is.True);
        Assert.That(aliceView.Check(bobPeer), Is.Not.Null, "a revoked member is still accepted");
        Assert.That(store.Values[aliceView.RevocationKey].Any(v => v.AsSpan().SequenceEqual(list.Encode())), Is.True, "the list was not re-published");
    }

    [Test]
    public async Task SyncOnceAsync_ListFromAnotherAuthority_Ignored()
    {
        using GroupAuthority authority = GroupAuthority.Create("lab");
        using GroupAuthority forger = GroupAuthority.Create("lab");
        using NodeIdentity alice = NodeIdentity.Generate();
        using NodeIdentity bob = NodeIdentity.Generate();
        GroupCertificate bobCertificate = authority.Issue("bob", bob);
        GroupMembership aliceView = GroupMembership.FromTrust(GroupTrust.Create(authority.Certificate, authority.Issue("alice", alice), alice));
        var store = new MemoryStore();
        await store.PutAsync(aliceView.RevocationKey, forger.Revoke([bobCertificate.Serial], 5).Encode(), TimeSpan.FromDays(1), CancellationToken.None);

        Assert.That(await new RevocationSync(store, aliceView, TimeProvider.System, NullLogger.Instance).SyncOnceAsync(CancellationToken.None), Is.False);
        var bobPeer = new PeerIdentity(bob.Address, bob.StaticPublicKey.ToArray(), bob.SigningPublicKey.ToArray(), bobCertificate.Encode(), null);
        Assert.That(aliceView.Check(bobPeer), Is.Null, "a forged list revoked a member");
    }
}
