using Microsoft.Extensions.Logging;

namespace Brunet.Transport;

internal static partial class EdgeLog
{
    // 2000-2099: Transport. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(2001, LogLevel.Debug, "Edge {Edge} closed: {Reason}", EventName = "EdgeClosed")]
    public static partial void EdgeClosed(ILogger logger, string edge, string reason);

    [LoggerMessage(2002, LogLevel.Information, "Edge listener bound to {Address}", EventName = "ListenerBound")]
    public static partial void ListenerBound(ILogger logger, string address);

    [LoggerMessage(2003, LogLevel.Warning, "Receive on {Address} failed ({Count} so far): {Error}", EventName = "ReceiveFailed")]
    public static partial void ReceiveFailed(ILogger logger, string address, long count, string error);

    [LoggerMessage(2004, LogLevel.Debug, "Send from {Address} failed ({Count} so far): {Error}", EventName = "SendFailed")]
    public static partial void SendFailed(ILogger logger, string address, long count, string error);

    [LoggerMessage(2005, LogLevel.Warning, "Accept on {Address} failed: {Error}", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, string address, string error);

    [LoggerMessage(2006, LogLevel.Information, "Edge {Edge} broke the framing ({Count} so far): {Reason}", EventName = "FramingViolation")]
    public static partial void FramingViolation(ILogger logger, string edge, long count, string reason);

    [LoggerMessage(2007, LogLevel.Error, "The handler of edge {Edge} threw", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, string edge, Exception exception);

    [LoggerMessage(2008, LogLevel.Debug, "Refused an inbound edge from {Remote} on {Address} ({Count} so far)", EventName = "InboundRefused")]
    public static partial void InboundRefused(ILogger logger, string remote, string address, long count);
}
