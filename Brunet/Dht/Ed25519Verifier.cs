using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Brunet.Dht;

/// <summary>Ed25519 (RFC 8032, pure) signature checks through BouncyCastle: .NET has no Curve25519.</summary>
public sealed class Ed25519Verifier : IDhtSignatureVerifier
{
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    public static Ed25519Verifier Instance { get; } = new();

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }
        var signer = new Ed25519Signer();
        signer.Init(false, new Ed25519PublicKeyParameters(publicKey.ToArray(), 0));
        byte[] message = data.ToArray();
        signer.BlockUpdate(message, 0, message.Length);
        // RFC 8032 §5.1.7: a public key that does not decode to a point makes the check fail, not throw.
        return signer.VerifySignature(signature.ToArray());
    }
}
