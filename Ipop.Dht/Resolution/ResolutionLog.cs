using Microsoft.Extensions.Logging;

namespace Ipop.Dht.Resolution;

internal static partial class ResolutionLog
{
    // 6020-6039: GroupVPN address resolution. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(6021, LogLevel.Debug, "{Ip} resolved to {Node}", EventName = "Resolved")]
    public static partial void Resolved(ILogger logger, string ip, string node);

    [LoggerMessage(6022, LogLevel.Debug, "{Ip} has no lease", EventName = "NotLeased")]
    public static partial void NotLeased(ILogger logger, string ip);

    [LoggerMessage(6023, LogLevel.Warning, "Looking up {Ip} failed", EventName = "LookupFailed")]
    public static partial void LookupFailed(ILogger logger, string ip, Exception exception);

    [LoggerMessage(6024, LogLevel.Debug, "{Ip}: a lease record not counted: {Reason}", EventName = "NonMemberLease")]
    public static partial void NonMemberLease(ILogger logger, string ip, string reason);
}
