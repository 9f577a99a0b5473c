using Brunet.Addressing;

namespace Brunet.Security;

/// <summary>What a finished handshake proved about the peer.</summary>
/// <param name="Address">The peer's node address, derived from its two public keys.</param>
/// <param name="StaticPublicKey">The peer's X25519 Noise static key (32 bytes).</param>
/// <param name="SigningPublicKey">The peer's Ed25519 key (32 bytes), for its DHT record signatures.</param>
/// <param name="Certificate">The certificate the peer sent, if any (not checked here: see Authorize).</param>
/// <param name="ObservedAddress">The transport address the peer sees us at, as text (for NAT reflection); unverified.</param>
public sealed record PeerIdentity(Address Address, byte[] StaticPublicKey, byte[] SigningPublicKey, byte[]? Certificate,
    string? ObservedAddress);
