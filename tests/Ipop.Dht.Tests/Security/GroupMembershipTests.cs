using Brunet.Config;
using Brunet.Security;
using Brunet.Security.Certificates;
using Ipop.Dhcp.Config;
using Ipop.Dht.Security;

namespace Ipop.Dht.Tests.Security;

public sealed class GroupMembershipTests
{
    private string _dir = null!;
    private GroupAuthority _authority = null!;
    private NodeIdentity _self = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("groupvpn-member-").FullName;
        _authority = GroupAuthority.Create("lab");
        _self = NodeIdentity.Generate();
        CertificateFiles.WriteText(Path.Combine(_dir, "ca.crt"), _authority.Certificate.ToArmor());
        CertificateFiles.WriteText(Path.Combine(_dir, "node.crt"), _authority.Issue("alice", _self).ToArmor());
    }

    [TearDown]
    public void TearDown()
    {
        Directory.Delete(_dir, recursive: true);
        _authority.Dispose();
        _self.Dispose();
    }

    [Test]
    public void Load_ValidGroup_IsAPrivatePolicy()
    {
        GroupMembership membership = GroupMembership.Load(Config(), _self);
        IGroupPolicy policy = membership;
        using NodeIdentity peer = NodeIdentity.Generate();
        var peerIdentity = new PeerIdentity(peer.Address, peer.StaticPublicKey.ToArray(), peer.SigningPublicKey.ToArray(),
            _authority.Issue("bob", peer).Encode(), null);
        Assert.Multiple(() =>
        {
            Assert.That(policy.IsPrivate, Is.True);
            Assert.That(policy.GroupName, Is.EqualTo("lab"));
            Assert.That(membership.HostName, Is.EqualTo("alice"));
            Assert.That(policy.LocalCertificate, Is.EqualTo(membership.Trust.Local.Encode()));
            Assert.That(membership.RevocationKey, Is.EqualTo("groupvpn:lab:crl"));
            Assert.That(policy.Check(peerIdentity), Is.Null);
            Assert.That(membership.CheckForOverlay(peerIdentity), Is.Null);
            Assert.That(policy.CheckCertificate(peer.Address, peerIdentity.Certificate!), Is.Null);
            Assert.That(policy.Check(peerIdentity with { Certificate = null }), Is.Not.Null);
        });
        Assert.That(membership.ApplyRevocationList(_authority.Revoke([GroupCertificate.Decode(peerIdentity.Certificate!).Serial], 1).Encode()), Is.Null);
        Assert.That(policy.Check(peerIdentity), Does.Contain("revoked"));
        Assert.That(membership.CurrentRevocationList, Is.Not.Null);
    }

    [Test]
    public void CheckLeaseRecord_OnlyThisGroupsMemberWithItsOwnKey()
    {
        GroupMembership membership = GroupMembership.Load(Config(), _self);
        IGroupPolicy policy = membership;
        using NodeIdentity peer = NodeIdentity.Generate();
        using GroupAuthority lookAlike = GroupAuthority.Create("lab");
        byte[] valid = MemberCredential.Create(_authority.Issue("bob", peer), _authority.Certificate).Encode();
        byte[] foreign = MemberCredential.Create(lookAlike.Issue("bob", peer), lookAlike.Certificate).Encode();
        byte[] signing = peer.SigningPublicKey.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(policy.CheckLeaseRecord(peer.Address, signing, valid), Is.Null);
            Assert.That(policy.CheckLeaseRecord(_self.Address, _self.SigningPublicKey.Span, policy.LeaseCredential), Is.Null, "its own");
            Assert.That(policy.CheckLeaseRecord(peer.Address, signing, null), Does.Contain("no member credential"));
            Assert.That(policy.CheckLeaseRecord(peer.Address, signing, [1, 2]), Does.Contain("malformed"));
            Assert.That(policy.CheckLeaseRecord(peer.Address, signing, foreign), Does.Contain("another authority"), "a look-alike group of the same name");
            Assert.That(policy.CheckLeaseRecord(_self.Address, signing, valid), Does.Contain("another node"));
            Assert.That(policy.CheckLeaseRecord(peer.Address, _self.SigningPublicKey.Span, valid), Does.Contain("key other than"));
            Assert.That(policy.CheckLeaseRecord(peer.Address, signing, valid, "BOB"), Is.Null, "its own host name");
            Assert.That(policy.CheckLeaseRecord(peer.Address, signing, valid, "alice"), Does.Contain("claims host name alice"));
            Assert.That(OpenGroupPolicy.Instance.CheckLeaseRecord(peer.Address, signing, null), Is.Null);
            Assert.That(OpenGroupPolicy.Instance.LeaseCredential, Is.Null);
        });
        Assert.That(membership.ApplyRevocationList(_authority.Revoke([MemberCredential.Decode(valid).Member.Serial], 1).Encode()), Is.Null);
        Assert.That(policy.CheckLeaseRecord(peer.Address, signing, valid), Does.Contain("revoked"));
    }

    [Test]
    public void NamespaceWarning_GroupNotTheNamespace_Warns()
    {
        GroupMembership membership = GroupMembership.Load(Config(), _self);   // group "lab"
        Assert.Multiple(() =>
        {
            Assert.That(GroupPolicies.NamespaceWarning(membership, "demo"), Does.Contain("'lab' is not the IpopNamespace 'demo'"));
            Assert.That(GroupPolicies.NamespaceWarning(membership, "LAB"), Is.Null);
            Assert.That(GroupPolicies.NamespaceWarning(OpenGroupPolicy.Instance, "demo"), Is.Null);
        });
    }

    [Test]
    public void Load_MissingCertificate_ConfigExceptionNamesFileAndElement()
    {
        File.Delete(Path.Combine(_dir, "node.crt"));
        ConfigException e = Assert.Throws<ConfigException>(() => GroupMembership.Load(Config(), _self))!;
        Assert.That((e.File, e.Element, e.Reason),
            Is.EqualTo((Path.Combine(_dir, "node.crt"), "IpopConfig/GroupVPN/Certificate", "the file does not exist")));
    }

    [Test]
    public void Load_CertificateOfAnotherKey_ConfigException()
    {
        using NodeIdentity other = NodeIdentity.Generate();
        ConfigException e = Assert.Throws<ConfigException>(() => GroupMembership.Load(Config(), other))!;
        Assert.That(e.Element, Is.EqualTo("IpopConfig/GroupVPN/Certificate"));
        Assert.That(e.Reason, Does.Contain("but this node's key is"));
    }

    [Test]
    public void Load_NotSignedByTheAuthority_ConfigException()
    {
        using GroupAuthority other = GroupAuthority.Create("lab");
        CertificateFiles.WriteText(Path.Combine(_dir, "ca.crt"), other.Certificate.ToArmor());
        ConfigException e = Assert.Throws<ConfigException>(() => GroupMembership.Load(Config(), _self))!;
        Assert.That(e.File, Is.EqualTo(Path.Combine(_dir, "node.crt")));
        Assert.That(e.Reason, Does.Contain("another authority"));
    }

    [Test]
    public void Load_GroupVpnDisabled_ArgumentException() =>
        Assert.That(() => GroupMembership.Load(new IpopConfig { IpopNamespace = "ns" }, _self), Throws.ArgumentException);

    private IpopConfig Config() => new()
    {
        FilePath = Path.Combine(_dir, "ipop.config"),
        IpopNamespace = "ns",
        GroupVpn = new GroupVpnConfig
        {
            Enabled = true,
            AuthorityCertificatePath = Path.Combine(_dir, "ca.crt"),
            CertificatePath = Path.Combine(_dir, "node.crt"),
            KeyPath = Path.Combine(_dir, "node.key"),
        },
    };
}
