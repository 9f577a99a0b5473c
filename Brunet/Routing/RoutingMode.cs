namespace Brunet.Routing;

/// <summary>How a routed packet finds its destination. The values are on the wire: never renumber.</summary>
public enum RoutingMode : byte
{
    /// <summary>Delivered only to the node whose address equals the destination; dropped if there is none.</summary>
    Exact = 1,

    /// <summary>Delivered to the node nearest the destination key, the sender included (DHT operations).</summary>
    Closest = 2,

    /// <summary>
    /// Delivered to the node nearest the destination key other than the sender: how a joining node finds the nodes
    /// next to its own address while it is not yet in anyone's near table.
    /// </summary>
    Annealing = 3,
}
