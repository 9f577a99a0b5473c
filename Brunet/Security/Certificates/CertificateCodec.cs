using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// Fields shared by the group certificate codecs. Every binary form starts with a version byte and a
/// <see cref="CertificateKind"/> byte and ends with a 64-byte Ed25519 signature over
/// <c>"brunet-group-cert-v1" || everything before the signature</c>. Times are Unix seconds (signed 64-bit).
/// </summary>
internal static class CertificateCodec
{
    public const byte Version = 1;
    public const int KeyIdSize = 16;

    private static readonly byte[] s_signatureDomain = Encoding.ASCII.GetBytes("brunet-group-cert-v1");
    private static readonly long s_minSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long s_maxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The authority's key id: the first 16 bytes of SHA-256 of its Ed25519 public key.</summary>
    public static byte[] KeyId(ReadOnlySpan<byte> publicKey)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(publicKey, digest);
        return digest[..KeyIdSize].ToArray();
    }

    public static void WriteHeader(WireWriter writer, CertificateKind kind)
    {
        writer.WriteByte(Version);
        writer.WriteByte((byte)kind);
    }

    public static void ReadHeader(ref CertificateReader reader, CertificateKind kind)
    {
        byte version = reader.ReadByte();
        if (version != Version)
        {
            WireViolation.Throw($"group certificate version {version} is not {Version}");
        }
        byte read = reader.ReadByte();
        if (read != (byte)kind)
        {
            WireViolation.Throw($"a {(CertificateKind)read} where a {kind} was expected");
        }
    }

    public static void WriteName(WireWriter writer, string name)
    {
        if (!CertificateNames.IsValid(name))
        {
            throw new ArgumentException(CertificateNames.Validate(name), nameof(name));
        }
        writer.WriteString8(name);
    }

    public static string ReadName(ref CertificateReader reader, string what)
    {
        int length = reader.ReadByte();
        if (length > CertificateNames.MaxLength)
        {
            WireViolation.ThrowTooLong(what, length, CertificateNames.MaxLength);
        }
        ReadOnlySpan<byte> bytes = reader.ReadFixed(length, what);
        foreach (byte b in bytes)
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b != (byte)'-')
            {
                WireViolation.Throw($"{what} holds a character other than letters, digits and '-'");
            }
        }
        if (length == 0 || bytes[0] == (byte)'-')
        {
            WireViolation.Throw($"{what} is empty or starts with '-'");
        }
        return Encoding.ASCII.GetString(bytes);
    }

    public static void WriteTime(WireWriter writer, DateTimeOffset time) => writer.WriteInt64(time.ToUnixTimeSeconds());

    public static DateTimeOffset ReadTime(ref CertificateReader reader, string what)
    {
        long seconds = reader.ReadInt64();
        if (seconds < s_minSeconds || seconds > s_maxSeconds)
        {
            WireViolation.Throw($"{what} of {seconds} Unix seconds is out of range");
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <summary>Reads the trailing signature; <paramref name="bodyLength"/> bytes before it are what was signed.</summary>
    public static byte[] ReadSignature(ref CertificateReader reader, out int bodyLength)
    {
        bodyLength = reader.Position;
        byte[] signature = reader.ReadFixed(NodeIdentity.SignatureSize, "a signature").ToArray();
        reader.ExpectEnd("a group certificate");
        return signature;
    }

    /// <summary>The bytes the signature covers: the domain string, then the body.</summary>
    public static byte[] SignedData(ReadOnlySpan<byte> body)
    {
        byte[] data = new byte[s_signatureDomain.Length + body.Length];
        s_signatureDomain.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(s_signatureDomain.Length));
        return data;
    }

    public static bool VerifySignature(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature) =>
        NodeIdentity.Verify(publicKey, SignedData(body), signature);

    /// <summary>Body plus signature as one array: <paramref name="sign"/> signs the domain-prefixed body.</summary>
    public static byte[] Seal(ArrayBufferWriter<byte> body, Func<byte[], byte[]> sign)
    {
        byte[] signature = sign(SignedData(body.WrittenSpan));
        if (signature.Length != NodeIdentity.SignatureSize)
        {
            throw new InvalidOperationException("An Ed25519 signature has 64 bytes.");
        }
        byte[] encoded = new byte[body.WrittenCount + signature.Length];
        body.WrittenSpan.CopyTo(encoded);
        signature.CopyTo(encoded, body.WrittenCount);
        return encoded;
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
