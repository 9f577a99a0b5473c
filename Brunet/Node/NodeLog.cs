using Microsoft.Extensions.Logging;

namespace Brunet.Node;

internal static partial class NodeLog
{
    // 1000-1099: Node. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(1001, LogLevel.Error, "Node loop work item failed", EventName = "LoopWorkFailed")]
    public static partial void LoopWorkFailed(ILogger logger, Exception exception);

    [LoggerMessage(1002, LogLevel.Information, "Node {Address} started on {TransportAddresses}", EventName = "NodeStarted")]
    public static partial void NodeStarted(ILogger logger, string address, string transportAddresses);

    [LoggerMessage(1003, LogLevel.Information, "Node {Address} joined the ring: left {Left}, right {Right}", EventName = "NodeJoined")]
    public static partial void NodeJoined(ILogger logger, string address, string left, string right);

    [LoggerMessage(1004, LogLevel.Debug, "Link to {Peer} up as {Types} over {Edge}", EventName = "LinkUp")]
    public static partial void LinkUp(ILogger logger, string peer, string types, string edge);

    [LoggerMessage(1005, LogLevel.Debug, "Link to {Peer} down: {Reason}", EventName = "LinkDown")]
    public static partial void LinkDown(ILogger logger, string peer, string reason);

    [LoggerMessage(1006, LogLevel.Debug, "Link attempt to {Target} failed: {Reason}", EventName = "LinkFailed")]
    public static partial void LinkFailed(ILogger logger, string target, string reason);

    [LoggerMessage(1007, LogLevel.Information, "Node {Address} left the ring", EventName = "NodeLeft")]
    public static partial void NodeLeft(ILogger logger, string address);

    [LoggerMessage(1008, LogLevel.Debug, "Dropped a malformed frame from {Peer}: {Reason}", EventName = "MalformedFrame")]
    public static partial void MalformedFrame(ILogger logger, string peer, string reason);

    [LoggerMessage(1009, LogLevel.Information, "Birthday punch with {Peer} as {Role}: {Outcome}", EventName = "BirthdayPunch")]
    public static partial void Birthday(ILogger logger, string peer, string role, string outcome);
}
