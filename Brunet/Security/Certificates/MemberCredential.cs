using System.Buffers;
using Brunet.Addressing;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// A member certificate together with the certificate of the authority that issued it, so that any node (a DHT holder
/// that knows no group) can check that the writer of a record is a member of the group the authority names. It proves
/// membership of <em>an</em> authority's group; which authority a reader trusts is the reader's business
/// (<see cref="GroupTrust.CheckCertificate"/>).
/// </summary>
/// <remarks>
/// Binary form (big-endian): version 1 (1 byte), member certificate (u16 length + bytes, at most
/// <see cref="GroupCertificate.MaxSize"/>), authority certificate (u16 length + bytes, at most
/// <see cref="AuthorityCertificate.MaxSize"/>). At most <see cref="MaxSize"/> bytes, which fits a DHT record's credential.
/// </remarks>
public sealed class MemberCredential
{
    public const byte Version = 1;

    public const int MaxSize = 1 + 2 + GroupCertificate.MaxSize + 2 + AuthorityCertificate.MaxSize;

    private readonly byte[] _encoded;

    private MemberCredential(GroupCertificate member, AuthorityCertificate authority, byte[] encoded)
    {
        Member = member;
        Authority = authority;
        _encoded = encoded;
    }

    public GroupCertificate Member { get; }

    public AuthorityCertificate Authority { get; }

    /// <summary>The group the authority names (and, once checked, the member certificate too).</summary>
    public string GroupName => Authority.GroupName;

    /// <summary>A credential of <paramref name="member"/> as issued by <paramref name="authority"/>; not checked here.</summary>
    public static MemberCredential Create(GroupCertificate member, AuthorityCertificate authority)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(authority);
        byte[] memberBytes = member.Encode();
        byte[] authorityBytes = authority.Encode();
        var output = new ArrayBufferWriter<byte>(5 + memberBytes.Length + authorityBytes.Length);
        var writer = new WireWriter(output);
        writer.WriteByte(Version);
        writer.WriteBytes16(memberBytes);
        writer.WriteBytes16(authorityBytes);
        return new MemberCredential(member, authority, output.WrittenSpan.ToArray());
    }

    /// <summary>The binary form (a copy).</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>Reads the binary form; <see cref="WireFormatException"/> on anything malformed or too long. Checks no signature.</summary>
    public static MemberCredential Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length > MaxSize)
        {
            WireViolation.ThrowTooLong("a member credential", source.Length, MaxSize);
        }
        var reader = new WireReader(source);
        byte version = reader.ReadByte();
        if (version != Version)
        {
            WireViolation.Throw($"member credential version {version} is not {Version}");
        }
        GroupCertificate member = GroupCertificate.Decode(reader.ReadBytes16(GroupCertificate.MaxSize, "the member certificate"));
        AuthorityCertificate authority = AuthorityCertificate.Decode(reader.ReadBytes16(AuthorityCertificate.MaxSize, "the authority certificate"));
        reader.ExpectEnd("a member credential");
        return new MemberCredential(member, authority, source.ToArray());
    }

    /// <summary>Like <see cref="Decode"/>, but null (and why) instead of an exception.</summary>
    public static MemberCredential? TryDecode(ReadOnlySpan<byte> source, out string? reason)
    {
        try
        {
            reason = null;
            return Decode(source);
        }
        catch (WireFormatException e)
        {
            reason = "malformed member credential: " + e.Message;
            return null;
        }
    }

    /// <summary>
    /// Null when the authority certificate is self-signed and unexpired, it issued the member certificate for its group,
    /// the certificate is valid at <paramref name="now"/>, and it belongs to the writer: node address
    /// <paramref name="writer"/> and Ed25519 key <paramref name="signingKey"/> (the key that signed the record, so a
    /// copied credential does not pass for another writer). Else why not. Revocation is not looked at.
    /// </summary>
    public string? Check(Address writer, ReadOnlySpan<byte> signingKey, DateTimeOffset now)
    {
        if (!Authority.IsSelfSigned)
        {
            return $"the authority certificate of group {Authority.GroupName} is not self-signed";
        }
        string? reason = Member.CheckIssuedBy(Authority, now);
        if (reason is not null)
        {
            return reason;
        }
        if (Member.Address != writer || !Member.SigningPublicKey.SequenceEqual(signingKey))
        {
            return $"the credential of {Member.HostName} ({Member.Address}) is not the writer's ({writer})";
        }
        return null;
    }
}
