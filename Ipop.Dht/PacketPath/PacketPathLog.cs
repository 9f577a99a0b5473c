using Microsoft.Extensions.Logging;

namespace Ipop.Dht.PacketPath;

internal static partial class PacketPathLog
{
    // 6040-6059: GroupVPN packet path. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(6041, LogLevel.Warning, "DHCP request from the host failed", EventName = "DhcpFailed")]
    public static partial void DhcpFailed(ILogger logger, Exception exception);

    [LoggerMessage(6042, LogLevel.Debug, "Dropped a malformed DHCP message from the host: {Reason}", EventName = "DhcpMalformed")]
    public static partial void DhcpMalformed(ILogger logger, string reason);

    [LoggerMessage(6043, LogLevel.Information, "DHCP {Type} to the host: {Address}", EventName = "DhcpReplied")]
    public static partial void DhcpReplied(ILogger logger, string type, string address);
}
