using System.Buffers;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// A group authority's self-signed certificate (<c>ca.crt</c>): the group's name and the Ed25519 key that signs its
/// members' certificates and revocation lists.
/// </summary>
/// <remarks>
/// Binary form (big-endian): version 1 (1 byte), kind 1 (1), group name (1-byte length + ASCII, at most 63),
/// public key (32), created (8, Unix seconds), expires (8), signature (64) by the authority's own key over
/// <c>"brunet-group-cert-v1" || the preceding bytes</c>. File: that form in the
/// <see cref="CertificateArmor.AuthorityLabel"/> armour.
/// </remarks>
public sealed class AuthorityCertificate
{
    /// <summary>The largest binary form: a group name of 63 characters.</summary>
    public const int MaxSize = 2 + 1 + CertificateNames.MaxLength + NodeIdentity.KeySize + 8 + 8 + NodeIdentity.SignatureSize;

    private readonly byte[] _publicKey;
    private readonly byte[] _keyId;
    private readonly byte[] _encoded;
    private readonly int _bodyLength;

    private AuthorityCertificate(string groupName, byte[] publicKey, DateTimeOffset created, DateTimeOffset expires,
        byte[] encoded, int bodyLength)
    {
        GroupName = groupName;
        _publicKey = publicKey;
        _keyId = CertificateCodec.KeyId(publicKey);
        Created = created;
        Expires = expires;
        _encoded = encoded;
        _bodyLength = bodyLength;
    }

    public string GroupName { get; }

    /// <summary>The authority's Ed25519 public key (32 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The first 16 bytes of SHA-256 of <see cref="PublicKey"/>; member certificates name their issuer by it.</summary>
    public ReadOnlySpan<byte> KeyId => _keyId;

    public DateTimeOffset Created { get; }

    public DateTimeOffset Expires { get; }

    /// <summary>The binary form (a copy).</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    public string ToArmor() => CertificateArmor.Encode(CertificateArmor.AuthorityLabel, _encoded);

    /// <summary>True when the certificate is signed by its own key (it was not altered).</summary>
    public bool IsSelfSigned => CertificateCodec.VerifySignature(_publicKey, _encoded.AsSpan(0, _bodyLength),
        _encoded.AsSpan(_bodyLength));

    /// <summary>True when <paramref name="signature"/> over <paramref name="body"/> was made by this authority.</summary>
    internal bool Signed(ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature) =>
        CertificateCodec.VerifySignature(_publicKey, body, signature);

    internal static AuthorityCertificate Create(string groupName, ReadOnlySpan<byte> publicKey, DateTimeOffset created,
        DateTimeOffset expires, Func<byte[], byte[]> sign)
    {
        var body = new ArrayBufferWriter<byte>(128);
        var writer = new WireWriter(body);
        CertificateCodec.WriteHeader(writer, CertificateKind.Authority);
        CertificateCodec.WriteName(writer, groupName);
        writer.WriteBytes(publicKey);
        CertificateCodec.WriteTime(writer, created);
        CertificateCodec.WriteTime(writer, expires);
        int bodyLength = body.WrittenCount;
        byte[] encoded = CertificateCodec.Seal(body, sign);
        return new AuthorityCertificate(groupName, publicKey.ToArray(), FromSeconds(created), FromSeconds(expires), encoded, bodyLength);
    }

    /// <summary>Reads the binary form; <see cref="WireFormatException"/> on any malformed input. Does not check the signature.</summary>
    public static AuthorityCertificate Decode(ReadOnlySpan<byte> source)
    {
        var reader = new CertificateReader(source);
        CertificateCodec.ReadHeader(ref reader, CertificateKind.Authority);
        string group = CertificateCodec.ReadName(ref reader, "the group name");
        byte[] publicKey = reader.ReadFixed(NodeIdentity.KeySize, "the authority key").ToArray();
        DateTimeOffset created = CertificateCodec.ReadTime(ref reader, "the creation time");
        DateTimeOffset expires = CertificateCodec.ReadTime(ref reader, "the expiry time");
        CertificateCodec.ReadSignature(ref reader, out int bodyLength);
        return new AuthorityCertificate(group, publicKey, created, expires, source.ToArray(), bodyLength);
    }

    /// <summary>Reads the armoured text (ca.crt); <see cref="CertificateException"/> naming <paramref name="path"/> when it is not one.</summary>
    public static AuthorityCertificate Parse(string text, string path)
    {
        byte[] data = CertificateArmor.TryDecode(text, CertificateArmor.AuthorityLabel, out string? error)
            ?? throw new CertificateException(path, error!);
        try
        {
            return Decode(data);
        }
        catch (WireFormatException e)
        {
            throw new CertificateException(path, "not a valid group authority certificate: " + e.Message, e);
        }
    }

    /// <summary>Reads and checks ca.crt: well formed and self-signed; <see cref="CertificateException"/> otherwise.</summary>
    public static AuthorityCertificate Load(string path)
    {
        AuthorityCertificate certificate = Parse(CertificateFiles.ReadText(path), path);
        if (!certificate.IsSelfSigned)
        {
            throw new CertificateException(path, "the authority certificate's signature does not verify (altered file?)");
        }
        return certificate;
    }

    private static DateTimeOffset FromSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
