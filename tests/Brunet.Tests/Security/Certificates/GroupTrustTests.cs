using Brunet.Config;
using Brunet.Security;
using Brunet.Security.Certificates;

namespace Brunet.Tests.Security.Certificates;

public sealed class GroupTrustTests
{
    private ManualTimeProvider _time = null!;
    private GroupAuthority _authority = null!;
    private NodeIdentity _self = null!;
    private NodeIdentity _peer = null!;
    private GroupTrust _trust = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _authority = GroupAuthority.Create("lab", _time);
        _self = NodeIdentity.Generate();
        _peer = NodeIdentity.Generate();
        _trust = GroupTrust.Create(_authority.Certificate, _authority.Issue("self", _self), _self, _time);
    }

    [TearDown]
    public void TearDown()
    {
        _authority.Dispose();
        _self.Dispose();
        _peer.Dispose();
    }

    [Test]
    public void Check_MemberWithOwnCertificate_Accepts()
    {
        Assert.That(_trust.Check(Peer(_peer, _authority.Issue("peer", _peer).Encode())), Is.Null);
        Assert.That(_trust.CheckCertificate(_peer.Address, _authority.Issue("peer", _peer).Encode()), Is.Null);
        Assert.That(_trust.LocalCertificate, Is.EqualTo(_trust.Local.Encode()));
        Assert.That(_trust.RevocationKey, Is.EqualTo("groupvpn:lab:crl"));
    }

    [Test]
    public void Check_NoCertificate_Refuses() =>
        Assert.That(_trust.Check(Peer(_peer, null)), Does.Contain("no certificate"));

    [Test]
    public void Check_JunkCertificate_RefusesAsMalformed() =>
        Assert.That(_trust.Check(Peer(_peer, [1, 2, 3])), Does.Contain("malformed"));

    [Test]
    public void Check_CertificateOfAnotherAuthority_Refuses()
    {
        using GroupAuthority other = GroupAuthority.Create("lab", _time);   // same group name, another key
        Assert.That(_trust.Check(Peer(_peer, other.Issue("peer", _peer).Encode())), Does.Contain("another authority"));
    }

    [Test]
    public void Check_ForgedKeyIdOfAnotherAuthority_RefusesSignature()
    {
        using GroupAuthority other = GroupAuthority.Create("lab", _time);
        byte[] forged = other.Issue("peer", _peer).Encode();
        int keyIdOffset = forged.Length - 64 - 16;
        _authority.Certificate.KeyId.CopyTo(forged.AsSpan(keyIdOffset));
        Assert.That(_trust.Check(Peer(_peer, forged)), Does.Contain("not signed by the authority"));
    }

    [Test]
    public void Check_CertificateOfAnotherNode_Refuses()
    {
        byte[] selfCertificate = _trust.LocalCertificate;   // the peer replays our certificate with its own keys
        Assert.That(_trust.Check(Peer(_peer, selfCertificate)), Does.Contain("certificate of another node"));
        Assert.That(_trust.CheckCertificate(_peer.Address, selfCertificate), Does.Contain("certificate of another node"));
    }

    [Test]
    public void Check_ExpiredCertificate_Refuses()
    {
        byte[] certificate = _authority.Issue("peer", _peer, lifetime: TimeSpan.FromDays(1)).Encode();
        Assert.That(_trust.Check(Peer(_peer, certificate)), Is.Null);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.That(_trust.Check(Peer(_peer, certificate)), Does.Contain("expired"));
    }

    [Test]
    public void Check_NotYetValidCertificate_Refuses()
    {
        var future = new ManualTimeProvider();
        future.Advance(TimeSpan.FromDays(2));
        using GroupAuthority authority = GroupAuthority.Create("lab", _time);
        GroupTrust trust = GroupTrust.Create(authority.Certificate, authority.Issue("self", _self), _self, _time);
        GroupAuthority issuerInFuture = GroupAuthority.Load(SaveTo(authority), Path.Combine(_dir!, "ca.crt"), future);
        Assert.That(trust.Check(Peer(_peer, issuerInFuture.Issue("peer", _peer).Encode())), Does.Contain("not valid before"));
        issuerInFuture.Dispose();
    }

    [Test]
    public void Check_RevokedCertificate_Refuses()
    {
        GroupCertificate certificate = _authority.Issue("peer", _peer, serial: 77);
        Assert.That(_trust.ApplyRevocationList(_authority.Revoke([77], sequence: 1).Encode()), Is.Null);
        Assert.That(_trust.Check(Peer(_peer, certificate.Encode())), Does.Contain("revoked"));
        Assert.That(_trust.CheckCertificate(_peer.Address, certificate.Encode()), Does.Contain("revoked"));
        Assert.That(_trust.IsLocalRevoked, Is.False);
    }

    [Test]
    public void ApplyRevocationList_LowerOrEqualSequence_Refused()
    {
        Assert.That(_trust.ApplyRevocationList(_authority.Revoke([77], sequence: 5).Encode()), Is.Null);
        Assert.That(_trust.ApplyRevocationList(_authority.Revoke([], sequence: 4).Encode()), Does.Contain("not newer"));
        Assert.That(_trust.ApplyRevocationList(_authority.Revoke([], sequence: 5).Encode()), Does.Contain("not newer"));
        Assert.That(_trust.Revocations!.IsRevoked(77), Is.True, "an older list must not bring a revoked member back");
        Assert.That(_trust.ApplyRevocationList(_authority.Revoke([], sequence: 6).Encode()), Is.Null);
        Assert.That(_trust.Revocations!.IsRevoked(77), Is.False);
    }

    [Test]
    public void ApplyRevocationList_ForgedByAnotherAuthority_Refused()
    {
        using GroupAuthority other = GroupAuthority.Create("lab", _time);
        Assert.That(_trust.ApplyRevocationList(other.Revoke([_trust.Local.Serial], 9).Encode()), Does.Contain("another authority"));
        byte[] forged = other.Revoke([_trust.Local.Serial], 9).Encode();
        _authority.Certificate.KeyId.CopyTo(forged.AsSpan(2 + 4));   // header 2, group "lab" 1+3
        Assert.That(_trust.ApplyRevocationList(forged), Does.Contain("not signed"));
        byte[] tampered = _authority.Revoke([1], 3).Encode();
        tampered[^70] ^= 1;   // the last serial
        Assert.That(_trust.ApplyRevocationList(tampered), Does.Contain("not signed"));
        Assert.That(_trust.ApplyRevocationList([9, 9, 9]), Does.Contain("malformed"));
        Assert.That(_trust.Revocations, Is.Null);
    }

    [Test]
    public void ApplyRevocationValues_SeveralValues_KeepsTheNewestAndReportsChange()
    {
        ReadOnlyMemory<byte>[] values =
        [
            _authority.Revoke([1], 2).Encode(),
            System.Text.Encoding.ASCII.GetBytes(_authority.Revoke([_trust.Local.Serial], 3).ToArmor()),
            new byte[] { 1, 3, 0 },
            _authority.Revoke([], 1).Encode(),
        ];
        Assert.That(_trust.ApplyRevocationValues(values), Is.True);
        Assert.That(_trust.Revocations!.Sequence, Is.EqualTo(3UL));
        Assert.That(_trust.IsLocalRevoked, Is.True);
        Assert.That(_trust.ApplyRevocationValues(values), Is.False, "nothing newer the second time");
    }

    [Test]
    public void Create_CertificateOfAnotherNode_Throws() =>
        Assert.That(() => GroupTrust.Create(_authority.Certificate, _authority.Issue("peer", _peer), _self, _time),
            Throws.ArgumentException.With.Message.Contains("but this node's key is"));

    private string? _dir;

    [TearDown]
    public void RemoveDirectory()
    {
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
            _dir = null;
        }
    }

    [Test]
    public void Load_ValidFiles_Loads()
    {
        string dir = NewDirectory();
        string ca = Path.Combine(dir, "ca.crt");
        string crt = Path.Combine(dir, "node.crt");
        CertificateFiles.WriteText(ca, _authority.Certificate.ToArmor());
        CertificateFiles.WriteText(crt, _authority.Issue("self", _self).ToArmor());
        GroupTrust trust = GroupTrust.Load(ca, "NodeConfig/Security/AuthorityCertificate", crt, "NodeConfig/Security/Certificate", _self, _time);
        Assert.That(trust.HostName, Is.EqualTo("self"));
        GroupTrust? overlay = GroupTrust.LoadForOverlay(new SecurityConfig { KeyPath = "k", AuthorityCertificatePath = ca, CertificatePath = crt },
            _self, _time);
        Assert.That(overlay!.GroupName, Is.EqualTo("lab"));
        Assert.That(GroupTrust.LoadForOverlay(new SecurityConfig { KeyPath = "k" }, _self, _time), Is.Null);
    }

    [Test]
    public void Load_Errors_NameFileElementAndReason()
    {
        string dir = NewDirectory();
        string ca = Path.Combine(dir, "ca.crt");
        string crt = Path.Combine(dir, "node.crt");
        const string CaElement = "NodeConfig/Security/AuthorityCertificate";
        const string CrtElement = "NodeConfig/Security/Certificate";
        ConfigException Load() => Assert.Throws<ConfigException>(() => GroupTrust.Load(ca, CaElement, crt, CrtElement, _self, _time))!;

        ConfigException missing = Load();
        Assert.That((missing.File, missing.Element, missing.Reason), Is.EqualTo((ca, CaElement, "the file does not exist")));

        CertificateFiles.WriteText(ca, _authority.Certificate.ToArmor());
        CertificateFiles.WriteText(crt, "garbage\n");
        ConfigException junk = Load();
        Assert.That((junk.File, junk.Element), Is.EqualTo((crt, CrtElement)));
        Assert.That(junk.Reason, Does.Contain("no '-----BEGIN BRUNET GROUP MEMBER-----'"));

        CertificateFiles.WriteText(crt, _authority.Issue("peer", _peer).ToArmor());
        Assert.That(Load().Reason, Does.Contain($"is for node {_peer.Address}, but this node's key is {_self.Address}"));

        using GroupAuthority other = GroupAuthority.Create("lab", _time);
        CertificateFiles.WriteText(crt, other.Issue("self", _self).ToArmor());
        Assert.That(Load().Reason, Does.Contain("another authority"));

        CertificateFiles.WriteText(crt, _authority.Issue("self", _self, lifetime: TimeSpan.FromHours(1)).ToArmor());
        _time.Advance(TimeSpan.FromHours(2));
        ConfigException expired = Load();
        Assert.That((expired.File, expired.Element), Is.EqualTo((crt, CrtElement)));
        Assert.That(expired.Reason, Does.Contain("expired on"));
        Assert.That(expired.Message, Does.StartWith($"{crt}: {CrtElement}: "));

        string text = _authority.Certificate.ToArmor();
        CertificateFiles.WriteText(ca, text.Replace(text.Split('\n')[1], Flip(text.Split('\n')[1])));
        ConfigException altered = Load();
        Assert.That((altered.File, altered.Element), Is.EqualTo((ca, CaElement)));
        Assert.That(altered.Reason, Does.Contain("altered").Or.Contain("not a valid"));
    }

    private static string Flip(string base64Line)
    {
        char[] chars = base64Line.ToCharArray();
        chars[20] = chars[20] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private string NewDirectory()
    {
        _dir = Directory.CreateTempSubdirectory("brunet-certs-").FullName;
        return _dir;
    }

    private string SaveTo(GroupAuthority authority)
    {
        string dir = NewDirectory();
        string key = Path.Combine(dir, "ca.key");
        authority.Save(key, Path.Combine(dir, "ca.crt"));
        return key;
    }

    private static PeerIdentity Peer(NodeIdentity identity, byte[]? certificate) =>
        new(identity.Address, identity.StaticPublicKey.ToArray(), identity.SigningPublicKey.ToArray(), certificate, null);
}
