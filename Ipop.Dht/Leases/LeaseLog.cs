using Microsoft.Extensions.Logging;

namespace Ipop.Dht.Leases;

internal static partial class LeaseLog
{
    // 6000-6019: GroupVPN leases. IDs and event names are a contract with operators: never reuse or renumber.
    [LoggerMessage(6001, LogLevel.Information, "Leased {Address} in namespace {Namespace}", EventName = "Leased")]
    public static partial void Leased(ILogger logger, string address, string @namespace);

    [LoggerMessage(6002, LogLevel.Debug, "{Address} is held by {Holder}", EventName = "AddressTaken")]
    public static partial void AddressTaken(ILogger logger, string address, string holder);

    [LoggerMessage(6003, LogLevel.Warning, "Could not create the lease of {Address}: {Reason}", EventName = "LeaseCreateFailed")]
    public static partial void LeaseCreateFailed(ILogger logger, string address, string reason);

    [LoggerMessage(6004, LogLevel.Warning, "Lost the lease of {Address} to {Holder}", EventName = "LeaseLost")]
    public static partial void LeaseLost(ILogger logger, string address, string holder);

    [LoggerMessage(6005, LogLevel.Warning, "Cannot write the lease file {Path}: {Reason}", EventName = "LeaseFileWriteFailed")]
    public static partial void LeaseFileWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(6006, LogLevel.Information, "Released {Address}", EventName = "Released")]
    public static partial void Released(ILogger logger, string address);

    [LoggerMessage(6007, LogLevel.Warning, "{Address} is held by a node outside the group ({Reason}); skipping it", EventName = "AddressHeldByNonMember")]
    public static partial void AddressHeldByNonMember(ILogger logger, string address, string reason);

    [LoggerMessage(6061, LogLevel.Warning, "Host name {Key} is held by another host: {Holder}", EventName = "HostNameTaken")]
    public static partial void HostNameTaken(ILogger logger, string key, string holder);
}
