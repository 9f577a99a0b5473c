namespace Brunet.Dht;

/// <summary>Checks a record's signature. Production uses <see cref="Ed25519Verifier"/>; never throws on bad input.</summary>
public interface IDhtSignatureVerifier
{
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}
