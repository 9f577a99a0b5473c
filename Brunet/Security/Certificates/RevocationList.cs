using System.Buffers;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// The serial numbers of member certificates the authority withdrew, signed by it. A list replaces an older one of
/// the same authority only when its <see cref="Sequence"/> is higher, so an old list replayed from the DHT cannot
/// bring a revoked member back.
/// </summary>
/// <remarks>
/// Binary form (big-endian): version 1 (1 byte), kind 3 (1), group name (1-byte length + ASCII), authority key id
/// (16), sequence (8), issued (8, Unix seconds), count (2, at most <see cref="MaxSerials"/>), serials (8 each),
/// signature (64) by the authority over <c>"brunet-group-cert-v1" || the preceding bytes</c>. At most 964 bytes, so
/// it fits one DHT value (1,024 bytes, as Brunet's). File: the <see cref="CertificateArmor.RevocationListLabel"/> armour.
/// </remarks>
public sealed class RevocationList
{
    /// <summary>At most this many serials, so the list fits one DHT value.</summary>
    public const int MaxSerials = 100;

    private readonly byte[] _authorityKeyId;
    private readonly byte[] _encoded;
    private readonly int _bodyLength;
    private readonly HashSet<ulong> _serials;

    private RevocationList(string groupName, byte[] authorityKeyId, ulong sequence, DateTimeOffset issued, HashSet<ulong> serials,
        byte[] encoded, int bodyLength)
    {
        GroupName = groupName;
        _authorityKeyId = authorityKeyId;
        Sequence = sequence;
        Issued = issued;
        _serials = serials;
        _encoded = encoded;
        _bodyLength = bodyLength;
    }

    public string GroupName { get; }

    public ReadOnlySpan<byte> AuthorityKeyId => _authorityKeyId;

    /// <summary>Higher replaces lower.</summary>
    public ulong Sequence { get; }

    public DateTimeOffset Issued { get; }

    public IReadOnlyCollection<ulong> Serials => _serials;

    public bool IsRevoked(ulong serial) => _serials.Contains(serial);

    public byte[] Encode() => (byte[])_encoded.Clone();

    public string ToArmor() => CertificateArmor.Encode(CertificateArmor.RevocationListLabel, _encoded);

    /// <summary>Null when <paramref name="authority"/> signed this list for its group; else why not.</summary>
    public string? CheckIssuedBy(AuthorityCertificate authority)
    {
        if (!AuthorityKeyId.SequenceEqual(authority.KeyId))
        {
            return "revocation list of another authority";
        }
        if (!CertificateNames.AreEqual(GroupName, authority.GroupName))
        {
            return $"revocation list for group {GroupName}, not {authority.GroupName}";
        }
        if (!authority.Signed(_encoded.AsSpan(0, _bodyLength), _encoded.AsSpan(_bodyLength)))
        {
            return $"revocation list not signed by the authority of group {authority.GroupName}";
        }
        return null;
    }

    internal static RevocationList Create(AuthorityCertificate authority, IEnumerable<ulong> serials, ulong sequence,
        DateTimeOffset issued, Func<byte[], byte[]> sign)
    {
        ulong[] sorted = serials.Distinct().Order().ToArray();
        if (sorted.Length > MaxSerials)
        {
            throw new ArgumentException($"A revocation list holds at most {MaxSerials} serials; got {sorted.Length}.", nameof(serials));
        }
        var body = new ArrayBufferWriter<byte>(1024);
        var writer = new WireWriter(body);
        CertificateCodec.WriteHeader(writer, CertificateKind.RevocationList);
        CertificateCodec.WriteName(writer, authority.GroupName);
        writer.WriteBytes(authority.KeyId);
        writer.WriteUInt64(sequence);
        CertificateCodec.WriteTime(writer, issued);
        writer.WriteCount(sorted.Length);
        foreach (ulong serial in sorted)
        {
            writer.WriteUInt64(serial);
        }
        return Decode(CertificateCodec.Seal(body, sign));
    }

    /// <summary>Reads the binary form; <see cref="WireFormatException"/> on any malformed input. Checks no signature.</summary>
    public static RevocationList Decode(ReadOnlySpan<byte> source)
    {
        var reader = new CertificateReader(source);
        CertificateCodec.ReadHeader(ref reader, CertificateKind.RevocationList);
        string group = CertificateCodec.ReadName(ref reader, "the group name");
        byte[] keyId = reader.ReadFixed(CertificateCodec.KeyIdSize, "the authority key id").ToArray();
        ulong sequence = reader.ReadUInt64();
        DateTimeOffset issued = CertificateCodec.ReadTime(ref reader, "the issue time");
        int count = reader.ReadUInt16();
        if (count > MaxSerials)
        {
            WireViolation.Throw($"a revocation list of {count} serials is longer than the limit of {MaxSerials}");
        }
        var serials = new HashSet<ulong>(count);
        for (int i = 0; i < count; i++)
        {
            serials.Add(reader.ReadUInt64());
        }
        CertificateCodec.ReadSignature(ref reader, out int bodyLength);
        return new RevocationList(group, keyId, sequence, issued, serials, source.ToArray(), bodyLength);
    }

    /// <summary>The binary form, or the armoured text of it (as a file or <c>bput</c> would carry it).</summary>
    public static RevocationList DecodeAny(ReadOnlySpan<byte> source)
    {
        const string armorStart = "-----BEGIN ";
        if (source.Length > 0 && source[0] == (byte)'-')
        {
            if (source.Length > CertificateArmor.MaxTextLength)
            {
                WireViolation.ThrowTooLong("an armoured revocation list", source.Length, CertificateArmor.MaxTextLength);
            }
            string text = System.Text.Encoding.ASCII.GetString(source);
            if (!text.StartsWith(armorStart, StringComparison.Ordinal))
            {
                WireViolation.Throw("neither a binary nor an armoured revocation list");
            }
            byte[] data = CertificateArmor.TryDecode(text, CertificateArmor.RevocationListLabel, out string? error)
                ?? throw new WireFormatException("armoured revocation list: " + error);
            return Decode(data);
        }
        return Decode(source);
    }
}
