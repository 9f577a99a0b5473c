namespace Brunet.Dht;

/// <summary>Limits and timings of the DHT. Remote peers control most inputs these bound.</summary>
public sealed record DhtOptions
{
    /// <summary>Replica points per key. Brunet: 8. Every node of an overlay must agree on it.</summary>
    public int ReplicaPoints { get; init; } = 8;

    /// <summary>Points that make a majority: a Create holds the key only with this many. Brunet: 5 of 8.</summary>
    public int Majority => (ReplicaPoints / 2) + 1;

    /// <summary>Bytes in a key. Defaults to 256.</summary>
    public int MaxKeyBytes { get; init; } = 256;

    /// <summary>Bytes in a value. Defaults to 1024, as Brunet.</summary>
    public int MaxValueBytes { get; init; } = 1024;

    /// <summary>Live values under one key on one holder (tombstones are counted apart, with the same limit).</summary>
    public int MaxValuesPerKey { get; init; } = 64;

    /// <summary>Records (values and tombstones) one writer may keep on one holder.</summary>
    public int MaxRecordsPerWriter { get; init; } = 1000;

    /// <summary>Bytes of keys and values one writer may keep on one holder. Defaults to 1 MiB.</summary>
    public long MaxBytesPerWriter { get; init; } = 1 << 20;

    /// <summary>Longest TTL a record may ask for. Defaults to 7 days.</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How far a writer's clock may run ahead of a holder's: added to <see cref="MaxTtl"/> on checks.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each node checks which records it should hold and hands the others on. Defaults to 30 s.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait after a neighbour change before the handoff pass, so a burst of joins costs one pass.</summary>
    public TimeSpan HandoffDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often every held record is pushed to the other holder even without a neighbour change.</summary>
    public TimeSpan FullSyncInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Creates tried before giving up when no writer wins a majority (a contended key).</summary>
    public int MaxCreateAttempts { get; init; } = 8;

    /// <summary>The first back-off after a lost Create round; doubled each round, drawn uniformly below it.</summary>
    public TimeSpan CreateBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After a won Create, the points that refused it get the record again after this wait.</summary>
    public TimeSpan CreateRepairDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes of records in one store message (one record always goes alone).</summary>
    public int MaxBatchBytes { get; init; } = 8192;

    /// <summary>Records in one message; a reader refuses more.</summary>
    public int MaxRecordsPerMessage { get; init; } = 128;

    /// <summary>Signature checks; tests may plug a cheaper one for scale runs.</summary>
    public IDhtSignatureVerifier Verifier { get; init; } = Ed25519Verifier.Instance;
}
