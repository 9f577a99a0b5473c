using Microsoft.Extensions.Logging;

namespace Ipop.Dht.Security;

internal static partial class SecurityLog
{
    // 6080-6099: GroupVPN security. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(6081, LogLevel.Information, "Applied a newer revocation list from {Key}", EventName = "RevocationListApplied")]
    public static partial void RevocationListApplied(ILogger logger, string key);

    [LoggerMessage(6082, LogLevel.Error, "This node's certificate is revoked by the authority of group {Group}: members will refuse it", EventName = "LocalCertificateRevoked")]
    public static partial void LocalCertificateRevoked(ILogger logger, string group);

    [LoggerMessage(6083, LogLevel.Warning, "Revocation list sync failed: {Reason}", EventName = "RevocationSyncFailed")]
    public static partial void RevocationSyncFailed(ILogger logger, string reason);
}
