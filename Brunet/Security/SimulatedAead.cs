using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Brunet.Security;

/// <summary>
/// SIMULATION ONLY. A stand-in for ChaCha20-Poly1305 that costs no native cipher context and next to no CPU, so the
/// simulator can hold millions of edge keys: the "ciphertext" is the plaintext in clear, followed by a 16-byte
/// keyed checksum of key, nonce, associated data and text (a multiply-xor mix, not a MAC: it gives no secrecy and no
/// authenticity against anyone). It exists only in a <see cref="CipherState"/> made for a simulated key
/// (<see cref="SimulatedDh"/>, <see cref="NodeIdentity.ForSimulation"/>); a real node's ciphers are always
/// ChaCha20-Poly1305, so a simulated edge and a real one never accept each other's packets (the tags differ).
/// </summary>
internal static class SimulatedAead
{
    public const int TagSize = CipherState.TagSize;

    private const ulong Prime1 = 0x9E3779B97F4A7C15;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;

    private static readonly byte[] s_rekeyDomain = Encoding.ASCII.GetBytes("brunet-simulated-aead-rekey-v1");

    /// <summary>Writes plaintext then its 16-byte tag to <paramref name="output"/> (plaintext.Length + 16 bytes).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        (ulong a, ulong b) = Tag(key, nonce, ad, plaintext);
        plaintext.CopyTo(output);
        BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(plaintext.Length, 8), a);
        BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(plaintext.Length + 8, 8), b);
    }

    /// <summary>Checks the tag and copies the text out: false (nothing written) on a short input or a wrong tag.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> output)
    {
        if (ciphertext.Length < TagSize)
        {
            return false;
        }
        int length = ciphertext.Length - TagSize;
        ReadOnlySpan<byte> text = ciphertext[..length];
        (ulong a, ulong b) = Tag(key, nonce, ad, text);
        if (BinaryPrimitives.ReadUInt64LittleEndian(ciphertext.Slice(length, 8)) != a
            || BinaryPrimitives.ReadUInt64LittleEndian(ciphertext.Slice(length + 8, 8)) != b)
        {
            return false;
        }
        text.CopyTo(output);
        return true;
    }

    /// <summary>The next epoch's key: SHA-256(domain || key).</summary>
    public static void Rekey(ReadOnlySpan<byte> key, Span<byte> next)
    {
        Span<byte> input = stackalloc byte[s_rekeyDomain.Length + CipherState.KeySize];
        s_rekeyDomain.CopyTo(input);
        key.CopyTo(input[s_rekeyDomain.Length..]);
        SHA256.HashData(input, next);
        CryptographicOperations.ZeroMemory(input);
    }

    /// <summary>
    /// SIMULATION ONLY: a 32-byte digest of <paramref name="first"/> then <paramref name="second"/> for the Noise
    /// hash and HMAC of a simulated handshake (<see cref="SymmetricState"/>), the same multiply-xor mix as the tag: no
    /// collision or preimage resistance. The SHA-256 calls of a handshake went to OpenSSL and were 13 % of the
    /// simulator's CPU.
    /// </summary>
    public static void Digest(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> output)
    {
        ulong a = Prime1;
        ulong b = Prime2;
        Absorb(ref a, ref b, first);
        Mix(ref a, ref b, (ulong)first.Length);
        Absorb(ref a, ref b, second);
        Mix(ref a, ref b, (ulong)second.Length);
        for (int lane = 0; lane < 4; lane++)
        {
            Mix(ref a, ref b, (ulong)lane);
            BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(lane * 8, 8), Finish(a ^ b));
        }
    }

    private static (ulong A, ulong B) Tag(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> text)
    {
        ulong a = BinaryPrimitives.ReadUInt64LittleEndian(key) ^ BinaryPrimitives.ReadUInt64LittleEndian(key[16..]);
        ulong b = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(key[24..]);
        Mix(ref a, ref b, nonce);
        Absorb(ref a, ref b, ad);
        Mix(ref a, ref b, (ulong)ad.Length);
        Absorb(ref a, ref b, text);
        Mix(ref a, ref b, (ulong)text.Length);
        return (Finish(a ^ BinaryPrimitives.ReadUInt64LittleEndian(key[16..])), Finish(b ^ BinaryPrimitives.ReadUInt64LittleEndian(key[24..])));
    }

    private static void Absorb(ref ulong a, ref ulong b, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            Mix(ref a, ref b, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (!data.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            last.Clear();
            data.CopyTo(last);
            Mix(ref a, ref b, BinaryPrimitives.ReadUInt64LittleEndian(last) ^ ((ulong)data.Length << 59));
        }
    }

    private static void Mix(ref ulong a, ref ulong b, ulong word)
    {
        a = BitOperations.RotateLeft((a ^ word) * Prime1, 31);
        b = BitOperations.RotateLeft((b + word) * Prime2, 27) ^ a;
    }

    /// <summary>The splitmix64 finalizer: every input bit reaches every output bit.</summary>
    private static ulong Finish(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}
