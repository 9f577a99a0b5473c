using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>One effort to link to a node (or, for a leaf, to whoever answers at a bootstrap address).</summary>
internal sealed class LinkAttempt(Address? target, IReadOnlyList<TransportAddress> addresses, ConnectionType types, long started)
{
    /// <summary>The node wanted; null for a leaf link, where any node at the address will do.</summary>
    public Address? Target { get; } = target;

    public IReadOnlyList<TransportAddress> Addresses { get; } = addresses;

    public ConnectionType Types { get; set; } = types;

    public int NextIndex { get; set; }

    public long Started { get; } = started;

    /// <summary>When the current transport address was dialed.</summary>
    public long CurrentStarted { get; set; } = started;

    public PeerEdge? Current { get; set; }

    public bool Done { get; set; }

    /// <summary>An attempt to replace a relay edge by a direct one: its failure does not start another relay.</summary>
    public bool IsUpgrade { get; init; }

    /// <summary>A dial to the end point a birthday punch found; it runs beside the peer's other attempts.</summary>
    public bool IsBirthday { get; init; }

    public bool IsRelay => Addresses.Count > 0 && Addresses[0].Kind == Transport.TransportKind.Tunnel;

    public string Key => (Target?.ToString() ?? Addresses[0].ToString()) + (IsBirthday ? "/birthday" : "");
}
