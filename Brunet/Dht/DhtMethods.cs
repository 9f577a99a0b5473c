namespace Brunet.Dht;

/// <summary>The DHT's RPC method names. On the wire: never rename (add new ones instead).</summary>
public static class DhtMethods
{
    /// <summary>Stores a batch of records; with the replicate flag the receiver copies them to the other holder.</summary>
    public const string Store = "dht:store";

    /// <summary>Returns every record (values and tombstones) the receiver holds under a key.</summary>
    public const string Query = "dht:query";
}
