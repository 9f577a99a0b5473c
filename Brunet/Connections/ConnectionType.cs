namespace Brunet.Connections;

/// <summary>Why a link exists. A link can have several reasons at once. The values are on the wire: never renumber.</summary>
[Flags]
public enum ConnectionType : byte
{
    None = 0,

    /// <summary>To a bootstrap address (RemoteTAs): how a node first reaches the ring.</summary>
    Leaf = 1,

    /// <summary>To a ring neighbour: 2 per side keep the ring whole.</summary>
    Near = 2,

    /// <summary>A long link chosen from Symphony's harmonic distribution: O(log N) routing.</summary>
    Shortcut = 4,

    /// <summary>Made by traffic between two nodes (the VPN's direct edges); trimmed when idle.</summary>
    OnDemand = 8,
}

/// <summary>Names of the connection types as the crawler and status commands print them.</summary>
public static class ConnectionTypeNames
{
    public static string ToText(ConnectionType type)
    {
        if (type == ConnectionType.None)
        {
            return "none";
        }
        var parts = new List<string>(4);
        if (type.HasFlag(ConnectionType.Near))
        {
            parts.Add("near");
        }
        if (type.HasFlag(ConnectionType.Shortcut))
        {
            parts.Add("shortcut");
        }
        if (type.HasFlag(ConnectionType.OnDemand))
        {
            parts.Add("ondemand");
        }
        if (type.HasFlag(ConnectionType.Leaf))
        {
            parts.Add("leaf");
        }
        return string.Join('+', parts);
    }
}
