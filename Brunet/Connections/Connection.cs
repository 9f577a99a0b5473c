using Brunet.Addressing;

namespace Brunet.Connections;

/// <summary>
/// A link to one peer over one secure edge. Immutable: the node loop replaces it when its types change.
/// <see cref="LocalTypes"/> are the reasons this node wants the link, <see cref="RemoteTypes"/> the peer's.
/// </summary>
public sealed record Connection(Address Peer, IConnectionEdge Edge, ConnectionType LocalTypes, ConnectionType RemoteTypes)
{
    public ConnectionType Types => LocalTypes | RemoteTypes;

    /// <summary>
    /// The address prefixes of the peer's own links, ascending, as it last told us (<c>sys:links</c>); null until it
    /// has. Routing looks one hop further through them (<see cref="Routing.Router"/>). A hint: it may be stale.
    /// </summary>
    public ulong[]? PeerLinks { get; init; }
}
