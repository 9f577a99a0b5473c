using Brunet.Messaging;
using Brunet.Security;
using Brunet.Security.Certificates;

namespace Brunet.Tests.Security.Certificates;

public sealed class CertificateCodecTests
{
    private static readonly NodeIdentity s_member = NodeIdentity.Generate();

    [Test]
    public void Decode_EncodedAuthority_RoundTrips()
    {
        var time = new ManualTimeProvider();
        using GroupAuthority authority = GroupAuthority.Create("lab-group", time);
        AuthorityCertificate decoded = AuthorityCertificate.Decode(authority.Certificate.Encode());
        Assert.Multiple(() =>
        {
            Assert.That(decoded.GroupName, Is.EqualTo("lab-group"));
            Assert.That(decoded.PublicKey.ToArray(), Is.EqualTo(authority.Certificate.PublicKey.ToArray()));
            Assert.That(decoded.Created, Is.EqualTo(time.GetUtcNow()));
            Assert.That(decoded.Expires, Is.EqualTo(time.GetUtcNow() + GroupAuthority.DefaultAuthorityLifetime));
            Assert.That(decoded.IsSelfSigned, Is.True);
            Assert.That(decoded.Encode(), Is.EqualTo(authority.Certificate.Encode()));
        });
    }

    [Test]
    public void Decode_EncodedMember_RoundTripsAndIsSmall()
    {
        var time = new ManualTimeProvider();
        using GroupAuthority authority = GroupAuthority.Create("lab-group", time);
        GroupCertificate issued = authority.Issue("alice", s_member, serial: 42);
        byte[] encoded = issued.Encode();
        GroupCertificate decoded = GroupCertificate.Decode(encoded);
        Assert.Multiple(() =>
        {
            Assert.That(encoded, Has.Length.LessThan(600), "the handshake carries it in one datagram");
            Assert.That(encoded, Has.Length.LessThanOrEqualTo(GroupCertificate.MaxSize));
            Assert.That(decoded.GroupName, Is.EqualTo("lab-group"));
            Assert.That(decoded.HostName, Is.EqualTo("alice"));
            Assert.That(decoded.Address, Is.EqualTo(s_member.Address));
            Assert.That(decoded.StaticPublicKey.ToArray(), Is.EqualTo(s_member.StaticPublicKey.ToArray()));
            Assert.That(decoded.SigningPublicKey.ToArray(), Is.EqualTo(s_member.SigningPublicKey.ToArray()));
            Assert.That(decoded.Serial, Is.EqualTo(42UL));
            Assert.That(decoded.NotBefore, Is.EqualTo(time.GetUtcNow() - GroupAuthority.ClockSkewAllowance));
            Assert.That(decoded.NotAfter, Is.EqualTo(time.GetUtcNow() + GroupAuthority.DefaultMemberLifetime));
            Assert.That(decoded.AuthorityKeyId.ToArray(), Is.EqualTo(authority.Certificate.KeyId.ToArray()));
            Assert.That(decoded.KeysMatchAddress, Is.True);
            Assert.That(decoded.CheckIssuedBy(authority.Certificate, time.GetUtcNow()), Is.Null);
        });
    }

    [Test]
    public void Parse_Armored_RoundTripsAndHasTheContractHeader()
    {
        using GroupAuthority authority = GroupAuthority.Create("g1");
        GroupCertificate issued = authority.Issue("bob", s_member);
        string memberText = issued.ToArmor();
        string authorityText = authority.Certificate.ToArmor();
        Assert.Multiple(() =>
        {
            Assert.That(memberText, Does.StartWith("-----BEGIN BRUNET GROUP MEMBER-----\n"));
            Assert.That(authorityText, Does.StartWith("-----BEGIN BRUNET GROUP AUTHORITY-----\n"));
            Assert.That(GroupCertificate.Parse("# a comment\n" + memberText, "x").Encode(), Is.EqualTo(issued.Encode()));
            Assert.That(AuthorityCertificate.Parse(authorityText.Replace("\n", "\r\n"), "x").Encode(),
                Is.EqualTo(authority.Certificate.Encode()));
            Assert.That(() => GroupCertificate.Parse(authorityText, "ca.crt"),
                Throws.TypeOf<CertificateException>().With.Message.StartsWith("ca.crt: no '-----BEGIN BRUNET GROUP MEMBER-----'"));
            Assert.That(() => GroupCertificate.Parse(memberText[..60], "node.crt"),
                Throws.TypeOf<CertificateException>().With.Property("Reason").Contains("truncated"));
        });
    }

    [Test]
    public void Decode_EveryTruncation_ThrowsWireFormatException()
    {
        using GroupAuthority authority = GroupAuthority.Create("g1");
        byte[][] samples =
        [
            authority.Certificate.Encode(),
            authority.Issue("carol", s_member).Encode(),
            authority.Revoke([1, 2, 3], 7).Encode(),
        ];
        foreach (byte[] sample in samples)
        {
            for (int length = 0; length < sample.Length; length++)
            {
                byte[] cut = sample[..length];
                Assert.That(() => DecodeAll(cut), Throws.TypeOf<WireFormatException>(), $"sample kind {sample[1]}, {length} bytes");
            }
            byte[] longer = [.. sample, 0];
            Assert.That(() => DecodeAll(longer), Throws.TypeOf<WireFormatException>(), $"sample kind {sample[1]} with a trailing byte");
        }
    }

    [Test]
    public void Decode_RandomJunkAndBitFlips_ThrowOnlyWireFormatException()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        using GroupAuthority authority = GroupAuthority.Create("g1");
        byte[] member = authority.Issue("dave", s_member).Encode();
        for (int i = 0; i < 3000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 400)];
                random.NextBytes(input);
                if (input.Length > 2)
                {
                    input[0] = 1;
                    input[1] = (byte)random.Next(1, 4);
                }
            }
            else
            {
                input = (byte[])member.Clone();
                input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
            }
            try
            {
                DecodeAll(input);
                if (i % 2 == 1)
                {
                    GroupCertificate flipped = GroupCertificate.Decode(input);
                    Assert.That(flipped.CheckIssuedBy(authority.Certificate, DateTimeOffset.UtcNow), Is.Not.Null,
                        $"seed {seed}, case {i}: a flipped bit must break the signature");
                }
            }
            catch (WireFormatException)
            {
                // Expected for most junk: the only exception a codec may throw.
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, case {i}: {e.GetType().Name}: {e.Message} on {Convert.ToHexString(input)}");
            }
        }
    }

    [Test]
    public void Decode_NameWithBadCharacter_ThrowsWireFormatException()
    {
        using GroupAuthority authority = GroupAuthority.Create("g1");
        byte[] member = authority.Issue("eve", s_member).Encode();
        member[4] = (byte)'.';   // version, kind, group length 2, 'g', '1' -> the group name's first byte is at 3
        member[3] = (byte)' ';
        Assert.That(() => GroupCertificate.Decode(member), Throws.TypeOf<WireFormatException>().With.Message.Contains("group name"));
    }

    [Test]
    public void Decode_RevocationListOverTheLimit_ThrowsWireFormatException()
    {
        using GroupAuthority authority = GroupAuthority.Create("g1");
        byte[] list = authority.Revoke([5], 1).Encode();
        int countOffset = 2 + 3 + 16 + 8 + 8;
        list[countOffset] = 0xFF;
        Assert.That(() => RevocationList.Decode(list), Throws.TypeOf<WireFormatException>().With.Message.Contains("limit"));
    }

    [TestCase("a", true)]
    [TestCase("alice-01", true)]
    [TestCase("ALICE", true)]
    [TestCase("", false)]
    [TestCase("-alice", false)]
    [TestCase("alice.ipop", false)]
    [TestCase("al ice", false)]
    [TestCase("ålice", false)]
    public void IsValid_Name_FollowsDnsLabelRules(string name, bool valid) =>
        Assert.That(CertificateNames.IsValid(name), Is.EqualTo(valid));

    [Test]
    public void IsValid_Over63Characters_False()
    {
        Assert.That(CertificateNames.IsValid(new string('a', 63)), Is.True);
        Assert.That(CertificateNames.IsValid(new string('a', 64)), Is.False);
    }

    private static void DecodeAll(byte[] input)
    {
        switch (input.Length > 1 ? input[1] : 0)
        {
            case 1:
                AuthorityCertificate.Decode(input);
                break;
            case 2:
                GroupCertificate.Decode(input);
                break;
            case 3:
                RevocationList.DecodeAny(input);
                break;
            default:
                GroupCertificate.Decode(input);
                break;
        }
    }
}
