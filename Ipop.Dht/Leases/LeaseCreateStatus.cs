namespace Ipop.Dht.Leases;

internal enum LeaseCreateStatus
{
    /// <summary>The key is ours for the TTL.</summary>
    Ok,

    /// <summary>Another value holds the key.</summary>
    HeldByAnother,

    /// <summary>The DHT could not decide (too few replica points answered).</summary>
    Failed,
}
