using System.Buffers.Binary;
using Brunet.Messaging;
using Brunet.Security;
using Brunet.Security.Certificates;

namespace Brunet.Tests.Security.Certificates;

public sealed class MemberCredentialTests
{
    private ManualTimeProvider _time = null!;
    private GroupAuthority _authority = null!;
    private GroupAuthority _other = null!;
    private NodeIdentity _member = null!;
    private NodeIdentity _stranger = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _authority = GroupAuthority.Create("demo", _time);
        _other = GroupAuthority.Create("demo", _time);   // a look-alike: the same group name, another key
        _member = NodeIdentity.Generate();
        _stranger = NodeIdentity.Generate();
    }

    [TearDown]
    public void TearDown()
    {
        _authority.Dispose();
        _other.Dispose();
        _member.Dispose();
        _stranger.Dispose();
    }

    private MemberCredential Credential() => MemberCredential.Create(_authority.Issue("h1", _member), _authority.Certificate);

    [Test]
    public void Decode_Encoded_RoundTripsAndFitsADhtCredential()
    {
        byte[] encoded = Credential().Encode();
        MemberCredential decoded = MemberCredential.Decode(encoded);
        Assert.Multiple(() =>
        {
            Assert.That(decoded.Encode(), Is.EqualTo(encoded));
            Assert.That(decoded.GroupName, Is.EqualTo("demo"));
            Assert.That(decoded.Member.Address, Is.EqualTo(_member.Address));
            Assert.That(encoded, Has.Length.LessThanOrEqualTo(Brunet.Dht.DhtRecord.MaxCredentialBytes));
            Assert.That(MemberCredential.MaxSize, Is.LessThanOrEqualTo(Brunet.Dht.DhtRecord.MaxCredentialBytes));
            Assert.That(decoded.Check(_member.Address, _member.SigningPublicKey.Span, _time.GetUtcNow()), Is.Null);
        });
        TestContext.Out.WriteLine($"member credential: {encoded.Length} bytes");
    }

    [Test]
    public void Decode_Malformed_RefusedWithWireFormatException()
    {
        byte[] good = Credential().Encode();
        byte[] wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 2;
        byte[] longMember = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(longMember.AsSpan(1), GroupCertificate.MaxSize + 1);
        byte[] oversized = new byte[MemberCredential.MaxSize + 1];
        oversized[0] = MemberCredential.Version;
        var cases = new (string Name, byte[] Bytes)[]
        {
            ("empty", []),
            ("version only", [MemberCredential.Version]),
            ("wrong version", wrongVersion),
            ("truncated", good[..^1]),
            ("trailing byte", [.. good, 0]),
            ("member length over its maximum", longMember),
            ("oversized", oversized),
            ("junk", [1, 0, 3, 1, 2, 3, 0, 0]),
        };
        foreach ((string name, byte[] bytes) in cases)
        {
            Assert.That(() => MemberCredential.Decode(bytes), Throws.InstanceOf<WireFormatException>(), name);
            Assert.That(MemberCredential.TryDecode(bytes, out string? reason), Is.Null, name);
            Assert.That(reason, Does.StartWith("malformed member credential"), name);
        }
    }

    [Test]
    public void Check_WrongWriterKeyOrTime_Refused()
    {
        MemberCredential credential = Credential();
        DateTimeOffset now = _time.GetUtcNow();
        Assert.Multiple(() =>
        {
            Assert.That(credential.Check(_stranger.Address, _member.SigningPublicKey.Span, now), Does.Contain("not the writer's"));
            Assert.That(credential.Check(_member.Address, _stranger.SigningPublicKey.Span, now), Does.Contain("not the writer's"));
            Assert.That(credential.Check(_member.Address, _member.SigningPublicKey.Span, now + TimeSpan.FromDays(400)), Does.Contain("expired"));
            Assert.That(credential.Check(_member.Address, _member.SigningPublicKey.Span, now - TimeSpan.FromDays(1)), Does.Contain("not valid before"));
        });
    }

    [Test]
    public void Check_ChainBroken_Refused()
    {
        DateTimeOffset now = _time.GetUtcNow();
        // A certificate of the look-alike authority presented with the real authority's certificate.
        MemberCredential mixed = MemberCredential.Create(_other.Issue("h1", _member), _authority.Certificate);
        Assert.That(mixed.Check(_member.Address, _member.SigningPublicKey.Span, now), Does.Contain("another authority"));
        // The authority certificate altered (its expiry): no longer self-signed.
        byte[] encoded = Credential().Encode();
        encoded[^(NodeIdentity.SignatureSize + 1)] ^= 1;     // the authority certificate is last; this is its expiry
        MemberCredential altered = MemberCredential.Decode(encoded);
        Assert.That(altered.Check(_member.Address, _member.SigningPublicKey.Span, now), Does.Contain("not self-signed"));
        // The look-alike's own pair is a valid chain: a DHT holder cannot tell it from the real group.
        MemberCredential lookAlike = MemberCredential.Create(_other.Issue("h1", _member), _other.Certificate);
        Assert.That(lookAlike.Check(_member.Address, _member.SigningPublicKey.Span, now), Is.Null);
    }
}
