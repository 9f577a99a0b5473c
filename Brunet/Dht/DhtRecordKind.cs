namespace Brunet.Dht;

/// <summary>What a record asks of its holders. On the wire and signed: never renumber.</summary>
public enum DhtRecordKind : byte
{
    /// <summary>One value among several under the key.</summary>
    Put = 1,

    /// <summary>A value that holds the key for its writer: refused while another writer has a live value there.</summary>
    Create = 2,

    /// <summary>A tombstone: the writer withdrew this value. Kept until its expiry so a replay of the value is refused.</summary>
    Delete = 3,
}
