namespace Brunet.Control;

// JSON shapes of the control endpoint (snake_case on the wire). The crawler and the bget/bput tools read them.

public sealed record NodeInfoJson(
    string Address, string Namespace, IReadOnlyList<string> TransportAddresses, int Links, int Edges,
    double EstimatedSize, string? VirtualIp);

public sealed record ConnectionJson(string Address, string Type, string Kind, string Remote);

public sealed record EdgeJson(string Kind, string Remote, bool Linked);

public sealed record LinkStatusJson(
    string Address, IReadOnlyList<string> Right, IReadOnlyList<string> Left, IReadOnlyList<ConnectionJson> Connections,
    IReadOnlyList<EdgeJson> Edges, int SecurityAssociations, string? VirtualIp);

public sealed record ErrorJson(string Error);

public sealed record DhtValueJson(string Value, double TtlRemaining, string Writer);

public sealed record DhtGetJson(string Key, IReadOnlyList<DhtValueJson> Values);

public sealed record DhtPutRequestJson(string? Key, string? Value, int? Ttl, bool? Create);

public sealed record DhtPutJson(bool Ok, string? Error, IReadOnlyList<string>? HeldBy);

public sealed record StatusLinkJson(string Address, string Type, string Kind, string Remote, double? RttMs);

public sealed record StatusJson(
    string Address, string Namespace, IReadOnlyList<string> TransportAddresses, double EstimatedSize,
    IReadOnlyList<StatusLinkJson> Links, IReadOnlyDictionary<string, int> Edges, int SecurityAssociations, int? DhtRecords,
    string? VirtualIp, IReadOnlyDictionary<string, string?>? Extra);
