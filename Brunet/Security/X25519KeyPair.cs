using System.Security.Cryptography;
using Rfc7748 = Org.BouncyCastle.Math.EC.Rfc7748;

namespace Brunet.Security;

/// <summary>
/// An X25519 key pair (RFC 7748) for Noise's DH(). The private scalar lives in an array this class owns and wipes on
/// <see cref="Dispose"/>; BouncyCastle's Rfc7748 functions work on that array in place, so no other copy is made.
/// </summary>
internal sealed class X25519KeyPair : IDisposable
{
    public const int KeySize = 32;

    private readonly byte[] _private = new byte[KeySize];
    private readonly byte[] _public = new byte[KeySize];

    private X25519KeyPair(ReadOnlySpan<byte> privateKey, bool simulated = false)
    {
        privateKey.CopyTo(_private);
        IsSimulated = simulated;
        if (simulated)
        {
            SimulatedDh.DerivePublicKey(_private, _public);
        }
        else
        {
            Rfc7748.X25519.GeneratePublicKey(_private, 0, _public, 0);
        }
    }

    public ReadOnlySpan<byte> PublicKey => _public;

    /// <summary>
    /// True for the simulator's stand-in (<see cref="SimulatedDh"/>), made only by <see cref="FromPrivateKeySimulated"/>
    /// through <see cref="NodeIdentity.ForSimulation"/>; a key loaded or generated for a real node is never simulated.
    /// </summary>
    internal bool IsSimulated { get; }

    /// <summary>The private scalar; only for writing the key file.</summary>
    internal ReadOnlySpan<byte> PrivateKey => _private;

    public static X25519KeyPair Generate() => Generate(simulated: false);

    /// <summary>A fresh key pair of the same kind as <paramref name="template"/>: the handshake's ephemeral key.</summary>
    public static X25519KeyPair GenerateLike(X25519KeyPair template) => Generate(template.IsSimulated);

    /// <summary>SIMULATION ONLY: a key pair whose DH is <see cref="SimulatedDh"/>, not X25519 (no secrecy at all).</summary>
    internal static X25519KeyPair FromPrivateKeySimulated(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize)
        {
            throw new ArgumentException($"A private key has {KeySize} bytes, got {privateKey.Length}.", nameof(privateKey));
        }
        return new X25519KeyPair(privateKey, simulated: true);
    }

    private static X25519KeyPair Generate(bool simulated)
    {
        Span<byte> scalar = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(scalar);
        try
        {
            return new X25519KeyPair(scalar, simulated);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <summary>A key pair from a 32-byte private key (clamping happens inside the scalar multiplication).</summary>
    public static X25519KeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize)
        {
            throw new ArgumentException($"An X25519 private key has {KeySize} bytes, got {privateKey.Length}.", nameof(privateKey));
        }
        return new X25519KeyPair(privateKey);
    }

    /// <summary>
    /// DH(s, peer): writes the 32-byte shared secret. False (and a zeroed output) when the peer key has the wrong length
    /// or is a low-order point that yields the all-zero secret (Noise §12.1 allows refusing it).
    /// </summary>
    public bool TryAgree(ReadOnlySpan<byte> peerPublic, Span<byte> sharedSecret)
    {
        if (peerPublic.Length != KeySize || sharedSecret.Length < KeySize)
        {
            sharedSecret.Clear();
            return false;
        }
        if (IsSimulated)
        {
            SimulatedDh.Agree(_public, peerPublic, sharedSecret[..KeySize]);
            return true;
        }
        byte[] peer = peerPublic.ToArray();
        byte[] result = new byte[KeySize];
        try
        {
            bool ok = Rfc7748.X25519.CalculateAgreement(_private, 0, peer, 0, result, 0);
            if (!ok)
            {
                sharedSecret[..KeySize].Clear();
                return false;
            }
            result.CopyTo(sharedSecret);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(result);
        }
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_private);
}
