using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging.Rpc;

namespace Brunet.Node;

/// <summary>
/// Link lists for lookahead routing: each node tells its links which nodes it is linked to (address prefixes), once
/// the set settles after a change and at most every <see cref="NodeOptions.LinkListInterval"/>; each keeps what its
/// links told it on their <see cref="Connection"/>s, where <see cref="Routing.Router"/> reads it.
/// </summary>
public sealed partial class OverlayNode
{
    private int _linkSetVersion;
    private int _linkSetSent;
    private long _nextLinkList;

    /// <summary>A link came or went (or moved to another edge): tell the links after <see cref="NodeOptions.LinkListDelay"/>.</summary>
    private void LinkSetChanged()
    {
        _linkSetVersion++;
        long earliest = Loop.Time.GetTimestamp() + ToTicks(Options.LinkListDelay);
        if (_nextLinkList < earliest)
        {
            _nextLinkList = earliest;
        }
    }

    private void SendLinkList(long now)
    {
        _linkSetSent = _linkSetVersion;
        _nextLinkList = now + ToTicks(Options.LinkListInterval * (0.8 + (0.4 * _random.NextDouble())));
        ConnectionTable table = Connections;
        byte[] body = LinkList.Encode(table);
        foreach (Connection c in table.Clockwise)
        {
            Rpc.Notify(RpcTarget.Direct(c.Edge, c.Peer), Methods.Links, body);
        }
    }

    /// <summary>A link's list, over that link's own edge; anything else (a routed or unlinked sender) is ignored.</summary>
    private void ServeLinkList(RpcCall call, ReadOnlySpan<byte> body)
    {
        if (Connections.Get(call.From) is { } connection && ReferenceEquals(connection.Edge, call.Edge))
        {
            SetTable(Connections.With(connection with { PeerLinks = LinkList.Decode(body) }), linksChanged: false);
        }
    }
}
