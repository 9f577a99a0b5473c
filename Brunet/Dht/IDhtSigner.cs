using Brunet.Addressing;

namespace Brunet.Dht;

/// <summary>The writer's identity as the DHT sees it: an Ed25519 signing key and the node address it claims.</summary>
public interface IDhtSigner
{
    Address Address { get; }

    /// <summary>The 32-byte Ed25519 public key that records are bound to.</summary>
    ReadOnlyMemory<byte> SigningPublicKey { get; }

    /// <summary>A 64-byte Ed25519 signature over <paramref name="data"/>.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}
