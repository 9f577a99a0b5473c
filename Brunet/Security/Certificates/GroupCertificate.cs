using System.Buffers;
using Brunet.Addressing;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// A member certificate (<c>node.crt</c>): the group authority vouches that the node with these keys and this address
/// is host <see cref="HostName"/> of group <see cref="GroupName"/> between <see cref="NotBefore"/> and
/// <see cref="NotAfter"/>. Handshakes carry the binary form (about 220 bytes).
/// </summary>
/// <remarks>
/// Binary form (big-endian): version 1 (1 byte), kind 2 (1), group name (1-byte length + ASCII, at most 63), host
/// name (likewise), node address (20), X25519 static public key (32), Ed25519 signing public key (32), serial (8),
/// not before (8, Unix seconds), not after (8), authority key id (16: SHA-256 of the authority key, truncated),
/// signature (64) by the authority over <c>"brunet-group-cert-v1" || the preceding bytes</c>. At most 318 bytes.
/// File: that form in the <see cref="CertificateArmor.MemberLabel"/> armour.
/// </remarks>
public sealed class GroupCertificate
{
    /// <summary>The largest binary form: both names at 63 characters.</summary>
    public const int MaxSize = 2 + (2 * (1 + CertificateNames.MaxLength)) + Address.Size + (2 * NodeIdentity.KeySize) + 8 + 16
        + CertificateCodec.KeyIdSize + NodeIdentity.SignatureSize;

    private readonly byte[] _staticPublicKey;
    private readonly byte[] _signingPublicKey;
    private readonly byte[] _authorityKeyId;
    private readonly byte[] _encoded;
    private readonly int _bodyLength;

    private GroupCertificate(string groupName, string hostName, Address address, byte[] staticPublicKey, byte[] signingPublicKey,
        ulong serial, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] authorityKeyId, byte[] encoded, int bodyLength)
    {
        GroupName = groupName;
        HostName = hostName;
        Address = address;
        _staticPublicKey = staticPublicKey;
        _signingPublicKey = signingPublicKey;
        Serial = serial;
        NotBefore = notBefore;
        NotAfter = notAfter;
        _authorityKeyId = authorityKeyId;
        _encoded = encoded;
        _bodyLength = bodyLength;
    }

    public string GroupName { get; }

    public string HostName { get; }

    public Address Address { get; }

    public ReadOnlySpan<byte> StaticPublicKey => _staticPublicKey;

    public ReadOnlySpan<byte> SigningPublicKey => _signingPublicKey;

    /// <summary>The authority's number for this certificate; a revocation list names it.</summary>
    public ulong Serial { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public ReadOnlySpan<byte> AuthorityKeyId => _authorityKeyId;

    /// <summary>The binary form (a copy), as carried in handshakes.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    public string ToArmor() => CertificateArmor.Encode(CertificateArmor.MemberLabel, _encoded);

    /// <summary>True when the certificate's keys derive its address (<see cref="NodeIdentity.DeriveAddress"/>).</summary>
    public bool KeysMatchAddress => NodeIdentity.DeriveAddress(_staticPublicKey, _signingPublicKey) == Address;

    /// <summary>
    /// Null when <paramref name="authority"/> issued this certificate for its group and it is valid at
    /// <paramref name="now"/>; else why not. Does not look at revocation or at who presents it.
    /// </summary>
    public string? CheckIssuedBy(AuthorityCertificate authority, DateTimeOffset now)
    {
        if (!AuthorityKeyId.SequenceEqual(authority.KeyId))
        {
            return $"certificate of {HostName} was issued by another authority (key id {CertificateCodec.Hex(AuthorityKeyId)}, "
                + $"ours is {CertificateCodec.Hex(authority.KeyId)})";
        }
        if (!authority.Signed(_encoded.AsSpan(0, _bodyLength), _encoded.AsSpan(_bodyLength)))
        {
            return $"certificate of {HostName} is not signed by the authority of group {authority.GroupName}";
        }
        if (!CertificateNames.AreEqual(GroupName, authority.GroupName))
        {
            return $"certificate of {HostName} is for group {GroupName}, not {authority.GroupName}";
        }
        if (!KeysMatchAddress)
        {
            return $"certificate of {HostName}: its keys do not derive its address {Address}";
        }
        if (now < NotBefore)
        {
            return $"certificate of {HostName} is not valid before {NotBefore:u}";
        }
        if (now >= NotAfter)
        {
            return $"certificate of {HostName} expired on {NotAfter:u}";
        }
        if (now >= authority.Expires)
        {
            return $"the authority of group {authority.GroupName} expired on {authority.Expires:u}";
        }
        return null;
    }

    internal static GroupCertificate Create(AuthorityCertificate authority, string hostName, Address address,
        ReadOnlySpan<byte> staticPublicKey, ReadOnlySpan<byte> signingPublicKey, ulong serial, DateTimeOffset notBefore,
        DateTimeOffset notAfter, Func<byte[], byte[]> sign)
    {
        if (staticPublicKey.Length != NodeIdentity.KeySize || signingPublicKey.Length != NodeIdentity.KeySize)
        {
            throw new ArgumentException($"Public keys have {NodeIdentity.KeySize} bytes.");
        }
        var body = new ArrayBufferWriter<byte>(MaxSize);
        var writer = new WireWriter(body);
        CertificateCodec.WriteHeader(writer, CertificateKind.Member);
        CertificateCodec.WriteName(writer, authority.GroupName);
        CertificateCodec.WriteName(writer, hostName);
        writer.WriteAddress(address);
        writer.WriteBytes(staticPublicKey);
        writer.WriteBytes(signingPublicKey);
        writer.WriteUInt64(serial);
        CertificateCodec.WriteTime(writer, notBefore);
        CertificateCodec.WriteTime(writer, notAfter);
        writer.WriteBytes(authority.KeyId);
        return Decode(CertificateCodec.Seal(body, sign));
    }

    /// <summary>Reads the binary form; <see cref="WireFormatException"/> on any malformed input. Checks no signature.</summary>
    public static GroupCertificate Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length > MaxSize)
        {
            WireViolation.ThrowTooLong("a group certificate", source.Length, MaxSize);
        }
        var reader = new CertificateReader(source);
        CertificateCodec.ReadHeader(ref reader, CertificateKind.Member);
        string group = CertificateCodec.ReadName(ref reader, "the group name");
        string host = CertificateCodec.ReadName(ref reader, "the host name");
        Address address = reader.ReadAddress();
        byte[] staticKey = reader.ReadFixed(NodeIdentity.KeySize, "the static key").ToArray();
        byte[] signingKey = reader.ReadFixed(NodeIdentity.KeySize, "the signing key").ToArray();
        ulong serial = reader.ReadUInt64();
        DateTimeOffset notBefore = CertificateCodec.ReadTime(ref reader, "not before");
        DateTimeOffset notAfter = CertificateCodec.ReadTime(ref reader, "not after");
        byte[] keyId = reader.ReadFixed(CertificateCodec.KeyIdSize, "the authority key id").ToArray();
        CertificateCodec.ReadSignature(ref reader, out int bodyLength);
        return new GroupCertificate(group, host, address, staticKey, signingKey, serial, notBefore, notAfter, keyId,
            source.ToArray(), bodyLength);
    }

    /// <summary>Reads the armoured text (node.crt); <see cref="CertificateException"/> naming <paramref name="path"/> when it is not one.</summary>
    public static GroupCertificate Parse(string text, string path)
    {
        byte[] data = CertificateArmor.TryDecode(text, CertificateArmor.MemberLabel, out string? error)
            ?? throw new CertificateException(path, error!);
        try
        {
            return Decode(data);
        }
        catch (WireFormatException e)
        {
            throw new CertificateException(path, "not a valid group member certificate: " + e.Message, e);
        }
    }

    public static GroupCertificate Load(string path) => Parse(CertificateFiles.ReadText(path), path);
}
