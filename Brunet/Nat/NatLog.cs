using Microsoft.Extensions.Logging;

namespace Brunet.Nat;

internal static partial class NatLog
{
    // 1700-1799: Nat. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(1701, LogLevel.Information, "Port mapping {Method}: {External} -> {Internal} for {Lifetime}", EventName = "PortMapped")]
    public static partial void PortMapped(ILogger logger, string method, string external, string @internal, TimeSpan lifetime);

    [LoggerMessage(1702, LogLevel.Debug, "Gateway {Gateway}: no answer to {Method}: {Reason}", EventName = "PortMapMethodFailed")]
    public static partial void MethodFailed(ILogger logger, string gateway, string method, string reason);

    [LoggerMessage(1703, LogLevel.Debug, "No port mapping: gateway {Gateway} answered none of PCP, NAT-PMP, UPnP", EventName = "PortMapUnavailable")]
    public static partial void Unavailable(ILogger logger, string gateway);

    [LoggerMessage(1704, LogLevel.Warning, "Port mapping renewal through {Method} failed: {Reason}", EventName = "PortMapRenewFailed")]
    public static partial void RenewFailed(ILogger logger, string method, string reason);

    [LoggerMessage(1705, LogLevel.Information, "Port mapping {External} removed", EventName = "PortUnmapped")]
    public static partial void Unmapped(ILogger logger, string external);
}
