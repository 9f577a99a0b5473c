using Brunet.Addressing;

namespace Ipop.Dht.Leases;

/// <summary>One live value under a lease key.</summary>
/// <param name="Value">The text stored: a lease holds its holder's node address (<c>brunet:node:...</c>).</param>
/// <param name="Writer">The node that signed the record.</param>
/// <param name="Remaining">Time left before the record expires.</param>
/// <param name="IsCreate">True for a Create (an exclusive lease), false for a Put.</param>
/// <param name="SigningKey">The writer's Ed25519 key that signed the record, when known.</param>
/// <param name="Credential">The writer's member credential carried by the record, or null.</param>
internal sealed record LeaseValue(string Value, Address Writer, TimeSpan Remaining, bool IsCreate, byte[]? SigningKey = null, byte[]? Credential = null);
