namespace Brunet.Dht;

/// <summary>A holder's answer to one stored record. On the wire: never renumber.</summary>
public enum DhtStoreStatus : byte
{
    Stored = 0,

    /// <summary>The holder already had this exact record.</summary>
    Duplicate = 1,

    /// <summary>Another writer holds the key (a Create over a held key, or a Put over a Created one).</summary>
    Conflict = 2,

    /// <summary>The holder has a newer record (higher sequence) for this writer, key and value: a replay.</summary>
    Stale = 3,
    BadSignature = 4,
    Expired = 5,

    /// <summary>The expiry is further away than the longest TTL plus the allowed clock skew.</summary>
    TtlTooLong = 6,

    /// <summary>The writer has too many records or bytes on this holder.</summary>
    QuotaExceeded = 7,

    /// <summary>The key has as many values as it may.</summary>
    KeyFull = 8,

    /// <summary>The record carries a credential that does not hold for its key (see <see cref="LeaseRecordRule"/>).</summary>
    BadCredential = 9,
}
