using Brunet.Addressing;
using Brunet.Connections;

namespace Brunet.Routing;

/// <summary>What a node does with a routed packet: forward it to <see cref="NextHop"/>, deliver it here, or drop it.</summary>
public readonly record struct RouteDecision(Connection? NextHop, bool DeliverLocally)
{
    public bool Drop => NextHop is null && !DeliverLocally;
}

/// <summary>The routing fields of a packet.</summary>
public readonly record struct RouteInfo(RoutingMode Mode, Address Source, Address Destination);

/// <summary>
/// Greedy ring routing with one-step lookahead. Nodes are ordered by (distance to the destination, address); every
/// hop goes to a node strictly earlier in that order, so a packet can never loop, whatever the tables look like
/// during churn. The TTL bounds the rest. Among the links that qualify, the next hop is the one whose own links (as it
/// told us, <see cref="Connection.PeerLinks"/>) come nearest the destination: two hops are planned, one is taken, and
/// the next node plans again. Greedy by the link's own distance alone took about 0.5 log2 N hops; Manku et al.
/// ("Know thy Neighbor's Neighbor", 2004) show the lookahead's gain on Symphony-like rings.
/// </summary>
public static class Router
{
    public static RouteDecision Decide(ConnectionTable table, in RouteInfo packet)
    {
        Address self = table.Self;
        Address destination = packet.Destination;
        if (packet.Mode == RoutingMode.Exact && destination == self)
        {
            return new RouteDecision(null, DeliverLocally: true);
        }
        bool excludeSource = packet.Mode == RoutingMode.Annealing;
        bool selfEligible = !(excludeSource && self == packet.Source);
        Address? exclude = excludeSource ? packet.Source : null;
        Connection? best = table.Closest(destination, exclude);
        if (best is null)
        {
            return new RouteDecision(null, packet.Mode != RoutingMode.Exact && selfEligible);
        }
        if (!selfEligible || IsCloser(best.Peer, self, destination))
        {
            return new RouteDecision(best.Peer == destination ? best : Lookahead(table, best, selfEligible, exclude, destination), DeliverLocally: false);
        }
        // No link is nearer than this node: it is the nearest node it knows of.
        return new RouteDecision(null, packet.Mode != RoutingMode.Exact);
    }

    /// <summary>The strict total order routing descends: nearer to the key first, then the smaller address.</summary>
    public static bool IsCloser(Address candidate, Address than, Address key)
    {
        int compare = candidate.DistanceTo(key).CompareTo(than.DistanceTo(key));
        return compare < 0 || (compare == 0 && candidate < than);
    }

    /// <summary>
    /// Of the links nearer the destination than this node (any link but the excluded source, when this node may not
    /// take the packet itself), the one with the nearest two-hop reach: itself or one of its links. Ties go to the
    /// nearer link, so without link lists this is plain greedy (<paramref name="nearest"/>).
    /// </summary>
    private static Connection Lookahead(ConnectionTable table, Connection nearest, bool selfEligible, Address? exclude, Address destination)
    {
        ulong key = LinkPrefixes.Of(destination);
        // An annealing packet must end at a node other than its source: reaching the source is no reach.
        ulong? sourcePrefix = exclude is { } source ? LinkPrefixes.Of(source) : null;
        Connection chosen = nearest;
        ulong chosenReach = Reach(nearest, key, sourcePrefix);
        foreach (Connection c in table.Clockwise)
        {
            if (ReferenceEquals(c, nearest) || c.PeerLinks is null || (exclude is { } skip && c.Peer == skip)
                || (selfEligible && !IsCloser(c.Peer, table.Self, destination)))
            {
                continue;
            }
            ulong reach = Reach(c, key, sourcePrefix);
            if (reach < chosenReach || (reach == chosenReach && IsCloser(c.Peer, chosen.Peer, destination)))
            {
                chosen = c;
                chosenReach = reach;
            }
        }
        return chosen;
    }

    private static ulong Reach(Connection c, ulong key, ulong? skip)
    {
        ulong own = LinkPrefixes.Distance(LinkPrefixes.Of(c.Peer), key);
        return c.PeerLinks is { } links ? Math.Min(own, LinkPrefixes.NearestDistance(links, key, skip)) : own;
    }
}
