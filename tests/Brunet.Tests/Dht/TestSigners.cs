using System.Security.Cryptography;
using Brunet.Addressing;
using Brunet.Dht;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Brunet.Tests.Dht;

/// <summary>A real Ed25519 writer key (BouncyCastle), with an address hashed from its public key.</summary>
internal sealed class Ed25519TestSigner : IDhtSigner
{
    private readonly Ed25519PrivateKeyParameters _private;

    public Ed25519TestSigner(Random random, Address? address = null)
    {
        byte[] seed = new byte[32];
        random.NextBytes(seed);
        _private = new Ed25519PrivateKeyParameters(seed, 0);
        SigningPublicKey = _private.GeneratePublicKey().GetEncoded();
        Address = address ?? Address.FromHash(SigningPublicKey.Span);
    }

    public Address Address { get; }

    public ReadOnlyMemory<byte> SigningPublicKey { get; }

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        byte[] message = data.ToArray();
        signer.BlockUpdate(message, 0, message.Length);
        return signer.GenerateSignature();
    }
}

/// <summary>
/// A cheap stand-in for scale runs only: the "signature" is a keyed hash a verifier can recompute from the public
/// key, so it proves nothing against an attacker but keeps 64-node runs fast. Forgery tests use Ed25519.
/// </summary>
internal sealed class FastTestSigner : IDhtSigner, IDhtSignatureVerifier
{
    public FastTestSigner(Random random, Address address)
    {
        byte[] key = new byte[32];
        random.NextBytes(key);
        SigningPublicKey = key;
        Address = address;
    }

    private FastTestSigner()
    {
        SigningPublicKey = new byte[32];
    }

    public static FastTestSigner Verifier { get; } = new();

    public Address Address { get; }

    public ReadOnlyMemory<byte> SigningPublicKey { get; }

    public byte[] Sign(ReadOnlySpan<byte> data) => MakeSignature(SigningPublicKey.Span, data);

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.SequenceEqual(MakeSignature(publicKey, data));

    private static byte[] MakeSignature(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data)
    {
        byte[] signature = new byte[64];
        HMACSHA512.HashData(publicKey, data, signature);
        return signature;
    }
}
