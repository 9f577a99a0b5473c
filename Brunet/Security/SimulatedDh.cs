using System.Security.Cryptography;
using System.Text;

namespace Brunet.Security;

/// <summary>
/// SIMULATION ONLY. A stand-in for X25519 that lets the simulator run thousands of Noise handshakes per second: the
/// public key is a hash of the private key, and the "shared secret" is a hash of the two public keys in sorted order,
/// so both ends agree while neither needs a scalar multiplication. Anyone who sees the two public keys can compute the
/// secret: it gives no secrecy at all. Only <see cref="NodeIdentity.ForSimulation"/> makes keys that use it; a real
/// node's key (generated, loaded from its key file, or built from raw keys) is always X25519, and a simulated key
/// cannot complete a handshake with a real one (the derived keys differ, so the first tag fails).
/// </summary>
internal static class SimulatedDh
{
    private static readonly byte[] s_publicDomain = Encoding.ASCII.GetBytes("brunet-simulated-dh-public-v1");
    private static readonly byte[] s_sharedDomain = Encoding.ASCII.GetBytes("brunet-simulated-dh-shared-v1");

    /// <summary>public = SHA-256(domain || private).</summary>
    public static void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        Span<byte> input = stackalloc byte[s_publicDomain.Length + X25519KeyPair.KeySize];
        s_publicDomain.CopyTo(input);
        privateKey[..X25519KeyPair.KeySize].CopyTo(input[s_publicDomain.Length..]);
        SHA256.HashData(input, publicKey);
        CryptographicOperations.ZeroMemory(input);
    }

    /// <summary>shared = SHA-256(domain || min(ours, theirs) || max(ours, theirs)): the same on both ends.</summary>
    public static void Agree(ReadOnlySpan<byte> ourPublic, ReadOnlySpan<byte> peerPublic, Span<byte> shared)
    {
        bool oursFirst = ourPublic.SequenceCompareTo(peerPublic) <= 0;
        Span<byte> input = stackalloc byte[s_sharedDomain.Length + (2 * X25519KeyPair.KeySize)];
        s_sharedDomain.CopyTo(input);
        (oursFirst ? ourPublic : peerPublic).CopyTo(input[s_sharedDomain.Length..]);
        (oursFirst ? peerPublic : ourPublic).CopyTo(input[(s_sharedDomain.Length + X25519KeyPair.KeySize)..]);
        SHA256.HashData(input, shared);
    }
}
