using Brunet.Addressing;
using Brunet.Routing;

namespace Brunet.Messaging.Rpc;

/// <summary>
/// Where an RPC goes: over one edge to the node at its other end (<see cref="Edge"/> set), or routed over the ring
/// to an address with a <see cref="RoutingMode"/>.
/// </summary>
public readonly record struct RpcTarget(Address Address, RoutingMode Mode, object? Edge)
{
    public bool IsDirect => Edge is not null;

    /// <summary>
    /// For a routed target: the edge a routed request came in on, the way back for its answer when greedy routing
    /// finds none (this node is the nearest it knows to the requester, but has no link to it yet: a node that just
    /// joined behind a NAT that its ring neighbour cannot open). The previous hop was on the request's way from
    /// the requester, so it is at least as near to a node that has a link to it.
    /// </summary>
    public object? Via { get; init; }

    /// <summary>
    /// For a routed target: the edge to send it over first, whatever greedy routing would pick; from that node on it
    /// is routed as usual. A node asks for its own place through a far link now and then: greedy routing from its
    /// near links cannot leave a wrong ring segment it is caught in, a walk from afar can.
    /// </summary>
    public object? FirstHop { get; init; }

    public static RpcTarget Direct(object edge, Address peer) => new(peer, RoutingMode.Exact, edge);

    public static RpcTarget Routed(Address destination, RoutingMode mode = RoutingMode.Exact) => new(destination, mode, null);

    public override string ToString() => IsDirect ? $"edge to {Address.ToShortString()}" : $"{Mode} {Address.ToShortString()}";
}

/// <summary>Sends an encoded RPC payload (starting with the payload-type byte) to a target; false if it could not.</summary>
public interface IRpcSender
{
    bool Send(in RpcTarget target, ReadOnlySpan<byte> payload);
}

/// <summary>The outcome of a call.</summary>
public sealed record RpcResult(RpcError Error, string? Message, byte[] Body, Address From, TimeSpan Elapsed)
{
    public bool IsOk => Error == RpcError.None;

    public override string ToString() => IsOk ? $"ok from {From.ToShortString()}" : $"{Error}: {Message}";
}
