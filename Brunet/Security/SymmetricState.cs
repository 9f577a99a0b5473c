using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Brunet.Security;

/// <summary>Noise SymmetricState (rev. 34 §5.2) with SHA-256: chaining key ck, handshake hash h and a CipherState.</summary>
internal sealed class SymmetricState : IDisposable
{
    public const int HashSize = 32;

    private readonly byte[] _ck = new byte[HashSize];
    private readonly byte[] _h = new byte[HashSize];
    private readonly CipherState _cipher;
    private readonly bool _simulated;

    /// <summary>InitializeSymmetric(protocol_name).</summary>
    /// <param name="simulated">SIMULATION ONLY: every cipher is <see cref="SimulatedAead"/> (set only for simulated keys).</param>
    public SymmetricState(string protocolName, bool simulated = false)
    {
        _simulated = simulated;
        _cipher = new CipherState(simulated);
        byte[] name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= HashSize)
        {
            name.CopyTo(_h, 0);      // padded with zeros to HASHLEN
        }
        else
        {
            SHA256.HashData(name, _h);
        }
        _h.CopyTo(_ck, 0);
    }

    public bool HasKey => _cipher.HasKey;

    /// <summary>h: after the handshake, the channel-binding handshake hash.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _h;

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempKey = stackalloc byte[HashSize];
        Hkdf2(_ck, inputKeyMaterial, _ck, tempKey, _simulated);
        _cipher.InitializeKey(tempKey);     // HASHLEN = 32 = key size: no truncation
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>h = HASH(h || data), one-shot (no hash object per call): handshake messages are small.</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        if (_simulated)
        {
            SimulatedAead.Digest(_h, data, _h);
            return;
        }
        int length = HashSize + data.Length;
        byte[]? rented = length > StackHashInput ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented is null ? stackalloc byte[StackHashInput] : rented;
        _h.CopyTo(input);
        data.CopyTo(input[HashSize..]);
        SHA256.HashData(input[..length], _h);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A MixHash input up to this size is built on the stack (a certificate makes a message larger).</summary>
    private const int StackHashInput = 256;

    /// <summary>EncryptAndHash: returns the bytes written to <paramref name="output"/>.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        int written = _cipher.EncryptWithAd(_h, plaintext, output);
        MixHash(output[..written]);
        return written;
    }

    /// <summary>DecryptAndHash: false on an authentication failure.</summary>
    public bool TryDecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> output, out int written)
    {
        if (!_cipher.TryDecryptWithAd(_h, ciphertext, output, out written))
        {
            return false;
        }
        MixHash(ciphertext);
        return true;
    }

    /// <summary>Split(): the two transport CipherStates (initiator-to-responder first).</summary>
    public (CipherState First, CipherState Second) Split()
    {
        Span<byte> k1 = stackalloc byte[HashSize];
        Span<byte> k2 = stackalloc byte[HashSize];
        Hkdf2(_ck, ReadOnlySpan<byte>.Empty, k1, k2, _simulated);
        var first = new CipherState(_simulated);
        var second = new CipherState(_simulated);
        first.InitializeKey(k1);
        second.InitializeKey(k2);
        CryptographicOperations.ZeroMemory(k1);
        CryptographicOperations.ZeroMemory(k2);
        return (first, second);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_ck);
        _cipher.Dispose();
    }

    /// <summary>
    /// HKDF(chaining_key, input_key_material, 2) of §4.3 with HMAC-SHA256 (with <see cref="SimulatedAead.Digest"/> for
    /// a simulated handshake). <paramref name="output1"/> may alias <paramref name="chainingKey"/>: the temp key is
    /// derived before anything is written.
    /// </summary>
    internal static void Hkdf2(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2,
        bool simulated = false)
    {
        Span<byte> tempKey = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize + 1];
        Hmac(chainingKey, inputKeyMaterial, tempKey, simulated);
        block[0] = 0x01;
        Hmac(tempKey, block[..1], output1, simulated);
        output1[..HashSize].CopyTo(block);
        block[HashSize] = 0x02;
        Hmac(tempKey, block, output2, simulated);
        CryptographicOperations.ZeroMemory(tempKey);
        CryptographicOperations.ZeroMemory(block);
    }

    private static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output, bool simulated)
    {
        if (simulated)
        {
            SimulatedAead.Digest(key, data, output);
        }
        else
        {
            HMACSHA256.HashData(key, data, output);
        }
    }
}
