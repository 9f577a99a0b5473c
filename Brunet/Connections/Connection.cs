using Brunet.Addressing;

namespace Brunet.Connections;

/// <summary>
/// A link to one peer over one secure edge. Immutable: the node loop replaces it when its types change.
/// <see cref="LocalTypes"/> are the reasons this node wants the link, <see cref="RemoteTypes"/> the peer's.
/// </summary>
public sealed record Connection(Address Peer, IConnectionEdge Edge, ConnectionType LocalTypes, ConnectionType RemoteTypes)
{
    public ConnectionType Types => LocalTypes | RemoteTypes;
}
