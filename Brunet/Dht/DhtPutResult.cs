namespace Brunet.Dht;

/// <summary>The outcome of a Put, Create or Remove.</summary>
/// <param name="Accepted">Replica points that stored the record (out of <see cref="DhtOptions.ReplicaPoints"/>).</param>
public sealed record DhtPutResult(DhtPutStatus Status, string? Reason, DhtValue? Holder, int Accepted)
{
    public bool IsOk => Status == DhtPutStatus.Ok;

    public static DhtPutResult Ok(int accepted) => new(DhtPutStatus.Ok, null, null, accepted);

    public static DhtPutResult HeldByAnother(DhtValue holder, int accepted) =>
        new(DhtPutStatus.HeldByAnother, "held by another writer", holder, accepted);

    public static DhtPutResult Failed(string reason, int accepted = 0) => new(DhtPutStatus.Failed, reason, null, accepted);
}
