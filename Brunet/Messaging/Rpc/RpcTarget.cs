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
