using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Brunet.Security;

/// <summary>
/// Noise CipherState (rev. 34 §5.1) over ChaCha20-Poly1305: a key k and a 64-bit nonce n. The nonce is encoded as 4
/// zero bytes then n little-endian (§12.3). Not thread-safe: one owner at a time. A cipher state made for a simulated
/// key (SIMULATION ONLY) seals with <see cref="SimulatedAead"/> instead, and never holds a native cipher context.
/// </summary>
internal sealed class CipherState(bool simulated = false) : IDisposable
{
    public const int KeySize = 32;
    public const int TagSize = 16;
    public const int NonceSize = 12;

    private readonly byte[] _key = new byte[KeySize];
    private readonly bool _simulated = simulated;
    private ChaCha20Poly1305? _aead;
    private bool _hasKey;

    /// <summary>The next nonce for <see cref="EncryptWithAd"/> / <see cref="TryDecryptWithAd"/>.</summary>
    public ulong Nonce { get; set; }

    public bool HasKey => _hasKey;

    /// <summary>True for the simulator's stand-in cipher (<see cref="SimulatedAead"/>).</summary>
    public bool IsSimulated => _simulated;

    /// <summary>InitializeKey(key): sets k and n = 0.</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A cipher key has {KeySize} bytes, got {key.Length}.", nameof(key));
        }
        key.CopyTo(_key);
        _aead?.Dispose();
        _aead = _simulated ? null : new ChaCha20Poly1305(_key);
        _hasKey = true;
        Nonce = 0;
    }

    /// <summary>EncryptWithAd: with no key the plaintext is copied. Returns the bytes written (plaintext + 16 with a key).</summary>
    public int EncryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        if (!_hasKey)
        {
            plaintext.CopyTo(output);
            return plaintext.Length;
        }
        if (Nonce == ulong.MaxValue)
        {
            // §5.1: 2^64-1 is reserved (for Rekey); the caller must stop before it.
            throw new InvalidOperationException("The cipher's nonces are exhausted.");
        }
        Seal(Nonce, ad, plaintext, output);
        Nonce++;
        return plaintext.Length + TagSize;
    }

    /// <summary>DecryptWithAd: false on an authentication failure (n does not advance then, per §5.1).</summary>
    public bool TryDecryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> output, out int written)
    {
        if (!_hasKey)
        {
            ciphertext.CopyTo(output);
            written = ciphertext.Length;
            return true;
        }
        if (Nonce == ulong.MaxValue || !TryOpen(Nonce, ad, ciphertext, output, out written))
        {
            written = 0;
            return false;
        }
        Nonce++;
        return true;
    }

    /// <summary>ENCRYPT(k, n, ad, plaintext) with an explicit nonce: writes plaintext.Length + 16 bytes.</summary>
    public void Seal(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        if (!_hasKey)
        {
            throw new InvalidOperationException("The cipher has no key.");
        }
        if (_simulated)
        {
            SimulatedAead.Seal(_key, nonce, ad, plaintext, output);
            return;
        }
        ChaCha20Poly1305 aead = _aead!;
        Span<byte> nonceBytes = stackalloc byte[NonceSize];
        WriteNonce(nonce, nonceBytes);
        aead.Encrypt(nonceBytes, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize), ad);
    }

    /// <summary>DECRYPT(k, n, ad, ciphertext) with an explicit nonce: false on a short input or a bad tag.</summary>
    public bool TryOpen(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> output, out int written)
    {
        written = 0;
        if (!_hasKey || ciphertext.Length < TagSize || output.Length < ciphertext.Length - TagSize)
        {
            return false;
        }
        int length = ciphertext.Length - TagSize;
        if (_simulated)
        {
            if (!SimulatedAead.TryOpen(_key, nonce, ad, ciphertext, output))
            {
                return false;
            }
            written = length;
            return true;
        }
        ChaCha20Poly1305 aead = _aead!;
        Span<byte> nonceBytes = stackalloc byte[NonceSize];
        WriteNonce(nonce, nonceBytes);
        try
        {
            aead.Decrypt(nonceBytes, ciphertext[..length], ciphertext[length..], output[..length], ad);
        }
        catch (AuthenticationTagMismatchException)
        {
            // Decrypt has already zeroed the output; a forged or corrupted packet is a value, not an error.
            return false;
        }
        written = length;
        return true;
    }

    /// <summary>Rekey() (§11.3, REKEY of §4.2): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes). n is kept.</summary>
    public void Rekey()
    {
        Span<byte> block = stackalloc byte[KeySize + TagSize];
        if (_simulated)
        {
            SimulatedAead.Rekey(_key, block[..KeySize]);
        }
        else
        {
            Span<byte> zeros = stackalloc byte[KeySize];
            zeros.Clear();
            Seal(ulong.MaxValue, ReadOnlySpan<byte>.Empty, zeros, block);
        }
        ulong nonce = Nonce;
        InitializeKey(block[..KeySize]);
        Nonce = nonce;
        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>A copy with the same key and nonce (the receiver keeps the previous epoch's key for late packets).</summary>
    public CipherState Clone()
    {
        var copy = new CipherState(_simulated);
        if (_hasKey)
        {
            copy.InitializeKey(_key);
        }
        copy.Nonce = Nonce;
        return copy;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _aead?.Dispose();
        _aead = null;
        _hasKey = false;
    }

    private static void WriteNonce(ulong nonce, Span<byte> destination)
    {
        destination[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], nonce);
    }
}
