using Brunet.Addressing;

namespace Brunet.Dht;

/// <summary>A live value read from the DHT: its bytes, the time it has left, and who wrote it.</summary>
/// <param name="Writer">The node address the writer claims in its signed record.</param>
/// <param name="WriterSigningKey">The Ed25519 key the record is bound to: only it can renew or delete the value.</param>
/// <param name="Credential">The writer's credential signed with the record (e.g. a group member credential), or null.</param>
public sealed record DhtValue(byte[] Value, TimeSpan Remaining, Address Writer, byte[] WriterSigningKey, bool IsCreate, byte[]? Credential = null);
