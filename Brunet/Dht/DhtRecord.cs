using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Brunet.Addressing;
using Brunet.Messaging;

namespace Brunet.Dht;

/// <summary>
/// One signed value under a key. Wire form, big-endian:
/// <c>[kind u8][expiry unix ms i64][sequence u64][writer address 20][signing key 32][key u16+bytes][value u16+bytes]</c>
/// <c>[credential u16+bytes, only when the kind byte has <see cref="CredentialFlag"/>][signature 64]</c>.
/// The signature covers <see cref="SignatureContext"/> followed by every field before the signature. A record's slot
/// is (key, signing key, value): a later record of the same slot (higher sequence) renews or deletes it.
/// </summary>
/// <remarks>
/// The credential is opaque here (at most <see cref="MaxCredentialBytes"/>): a proof of who the writer is, such as a
/// group member certificate with its authority, for holders that apply rules to some keys (<see cref="LeaseRecordRule"/>).
/// Records without one keep the old wire form, so old records still parse.
/// </remarks>
public sealed class DhtRecord
{
    public const int SigningKeySize = 32;
    public const int SignatureSize = 64;

    /// <summary>Bit of the kind byte that says a credential follows the value.</summary>
    public const byte CredentialFlag = 0x80;

    /// <summary>The largest credential: a member certificate and its authority's fit with room to spare.</summary>
    public const int MaxCredentialBytes = 1024;

    /// <summary>Fixed bytes: kind, expiry, sequence, address, key, two length prefixes, signature.</summary>
    public const int FixedSize = 1 + 8 + 8 + Address.Size + SigningKeySize + 2 + 2 + SignatureSize;

    /// <summary>Domain separation: a signature made for anything else never passes as a DHT record.</summary>
    private static readonly byte[] s_signatureContext = Encoding.ASCII.GetBytes("brunet-dht-record-v1");

    private byte[]? _slotId;

    /// <param name="credential">Null or 1 to <see cref="MaxCredentialBytes"/> bytes.</param>
    public DhtRecord(DhtRecordKind kind, byte[] key, byte[] value, Address writer, byte[] signingKey, long expiresUnixMs, ulong sequence, byte[] signature,
        byte[]? credential = null)
    {
        if (credential is not null && (credential.Length == 0 || credential.Length > MaxCredentialBytes))
        {
            throw new ArgumentException($"A DHT record's credential has 1 to {MaxCredentialBytes} bytes.", nameof(credential));
        }
        Kind = kind;
        Key = key;
        Value = value;
        Writer = writer;
        SigningKey = signingKey;
        ExpiresUnixMs = expiresUnixMs;
        Sequence = sequence;
        Signature = signature;
        Credential = credential;
    }

    public static ReadOnlySpan<byte> SignatureContext => s_signatureContext;

    public DhtRecordKind Kind { get; }

    public byte[] Key { get; }

    public byte[] Value { get; }

    /// <summary>The node address the writer claims; bound to the record by the signature, not checked here.</summary>
    public Address Writer { get; }

    public byte[] SigningKey { get; }

    public long ExpiresUnixMs { get; }

    public ulong Sequence { get; }

    public byte[] Signature { get; }

    /// <summary>The writer's credential (signed with the record), or null.</summary>
    public byte[]? Credential { get; }

    public int EncodedSize => FixedSize + Key.Length + Value.Length + CredentialSize;

    /// <summary>Bytes a record costs its writer's quota.</summary>
    public int QuotaBytes => EncodedSize;

    private int CredentialSize => Credential is null ? 0 : 2 + Credential.Length;

    public bool IsLive(long nowUnixMs) => ExpiresUnixMs > nowUnixMs;

    /// <summary>SHA-256 of (key, signing key, value): the slot this record renews, for maps and the database.</summary>
    public byte[] SlotId
    {
        get
        {
            if (_slotId is null)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                Span<byte> length = [(byte)(Key.Length >> 8), (byte)Key.Length];
                hash.AppendData(length);
                hash.AppendData(Key);
                hash.AppendData(SigningKey);
                hash.AppendData(Value);
                _slotId = hash.GetHashAndReset();
            }
            return _slotId;
        }
    }

    public bool SameSlot(DhtRecord other) =>
        Key.AsSpan().SequenceEqual(other.Key) && SigningKey.AsSpan().SequenceEqual(other.SigningKey) && Value.AsSpan().SequenceEqual(other.Value);

    public bool SameWriter(DhtRecord other) => SigningKey.AsSpan().SequenceEqual(other.SigningKey);

    /// <summary>True when both are the very same signed record.</summary>
    public bool IsIdentical(DhtRecord other) =>
        Kind == other.Kind && Sequence == other.Sequence && ExpiresUnixMs == other.ExpiresUnixMs && Writer == other.Writer
        && Signature.AsSpan().SequenceEqual(other.Signature) && SameSlot(other);

    /// <summary>Makes and signs a record. Lengths are the caller's to check against <see cref="DhtOptions"/>.</summary>
    public static DhtRecord Create(IDhtSigner signer, DhtRecordKind kind, byte[] key, byte[] value, long expiresUnixMs, ulong sequence,
        byte[]? credential = null)
    {
        byte[] signingKey = signer.SigningPublicKey.ToArray();
        var unsigned = new DhtRecord(kind, key, value, signer.Address, signingKey, expiresUnixMs, sequence, new byte[SignatureSize], credential);
        byte[] signature = signer.Sign(unsigned.SignedBytes());
        return new DhtRecord(kind, key, value, signer.Address, signingKey, expiresUnixMs, sequence, signature, credential);
    }

    /// <summary>The context string and every field but the signature.</summary>
    public byte[] SignedBytes()
    {
        var output = new ArrayBufferWriter<byte>(s_signatureContext.Length + EncodedSize);
        output.Write(s_signatureContext);
        WriteUnsigned(new WireWriter(output));
        return output.WrittenSpan.ToArray();
    }

    public bool Verify(IDhtSignatureVerifier verifier) => verifier.Verify(SigningKey, SignedBytes(), Signature);

    public void WriteTo(WireWriter writer)
    {
        WriteUnsigned(writer);
        writer.WriteBytes(Signature);
    }

    public byte[] ToBytes()
    {
        var output = new ArrayBufferWriter<byte>(EncodedSize);
        WriteTo(new WireWriter(output));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads one record; throws <see cref="WireFormatException"/> on anything malformed or over a limit.</summary>
    public static DhtRecord ReadFrom(ref WireReader reader, int maxKeyBytes, int maxValueBytes)
    {
        byte kindByte = reader.ReadByte();
        byte kind = (byte)(kindByte & ~CredentialFlag);
        if (kind is < (byte)DhtRecordKind.Put or > (byte)DhtRecordKind.Delete)
        {
            WireViolation.Throw($"unknown DHT record kind {kindByte}");
        }
        long expires = reader.ReadInt64();
        ulong sequence = reader.ReadUInt64();
        Address writer = reader.ReadAddress();
        byte[] signingKey = DhtWire.ReadFixed(ref reader, SigningKeySize, "DHT signing key");
        byte[] key = reader.ReadBytes16(maxKeyBytes, "DHT key").ToArray();
        if (key.Length == 0)
        {
            WireViolation.Throw("DHT key is empty");
        }
        byte[] value = reader.ReadBytes16(maxValueBytes, "DHT value").ToArray();
        byte[]? credential = null;
        if ((kindByte & CredentialFlag) != 0)
        {
            credential = reader.ReadBytes16(MaxCredentialBytes, "DHT credential").ToArray();
            if (credential.Length == 0)
            {
                WireViolation.Throw("DHT credential is flagged but empty");
            }
        }
        byte[] signature = DhtWire.ReadFixed(ref reader, SignatureSize, "DHT signature");
        return new DhtRecord((DhtRecordKind)kind, key, value, writer, signingKey, expires, sequence, signature, credential);
    }

    public static DhtRecord Read(ReadOnlySpan<byte> source, int maxKeyBytes, int maxValueBytes)
    {
        var reader = new WireReader(source);
        DhtRecord record = ReadFrom(ref reader, maxKeyBytes, maxValueBytes);
        reader.ExpectEnd("DHT record");
        return record;
    }

    public override string ToString() =>
        $"{Kind} {Encoding.UTF8.GetString(Key)} by {Writer.ToShortString()} seq {Sequence} ({Value.Length} bytes"
        + (Credential is null ? ")" : $", credential {Credential.Length} bytes)");

    private void WriteUnsigned(WireWriter writer)
    {
        writer.WriteByte(Credential is null ? (byte)Kind : (byte)((byte)Kind | CredentialFlag));
        writer.WriteInt64(ExpiresUnixMs);
        writer.WriteUInt64(Sequence);
        writer.WriteAddress(Writer);
        writer.WriteBytes(SigningKey);
        writer.WriteBytes16(Key);
        writer.WriteBytes16(Value);
        if (Credential is not null)
        {
            writer.WriteBytes16(Credential);
        }
    }
}
