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
/// Greedy ring routing. Nodes are ordered by (distance to the destination, address); every hop goes to a node
/// strictly earlier in that order, so a packet can never loop, whatever the tables look like during churn. The
/// TTL bounds the rest.
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
        Connection? best = table.Closest(destination, excludeSource ? packet.Source : null);
        if (best is null)
        {
            return new RouteDecision(null, packet.Mode != RoutingMode.Exact && selfEligible);
        }
        if (!selfEligible || IsCloser(best.Peer, self, destination))
        {
            return new RouteDecision(best, DeliverLocally: false);
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
}
