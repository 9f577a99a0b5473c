namespace Brunet.Dht;

public enum DhtPutStatus
{
    Ok,

    /// <summary>Another writer holds the key; <see cref="DhtPutResult.Holder"/> carries its value.</summary>
    HeldByAnother,
    Failed,
}
