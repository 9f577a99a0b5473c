using Brunet.Addressing;

namespace Brunet.Dht;

/// <summary>The records a holder keeps under one key, values and tombstones, at most one per slot.</summary>
internal sealed class DhtKeyEntry(byte[] key, Address[] points)
{
    public byte[] Key { get; } = key;

    /// <summary>The key's replica points, computed once.</summary>
    public Address[] Points { get; } = points;

    public List<DhtRecord> Records { get; } = [];

    /// <summary>True while the records are being handed to the key's holders.</summary>
    public bool HandoffInFlight { get; set; }
}
