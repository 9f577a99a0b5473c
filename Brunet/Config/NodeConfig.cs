using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Config;

/// <summary>
/// A validated <c>bootstrap.config</c> or <c>node.config</c> (<c>&lt;NodeConfig&gt;</c>, CONTRACT.md "Configuration
/// files"). Made by <see cref="NodeConfigLoader"/>; only the loader sees XML.
/// </summary>
public sealed record NodeConfig
{
    /// <summary>Most bootstrap addresses accepted in RemoteTAs.</summary>
    public const int MaxRemoteTAs = 64;

    /// <summary>Longest BrunetNamespace accepted, in characters.</summary>
    public const int MaxNamespaceLength = 64;

    /// <summary>Absolute path of the file loaded; relative paths in it were resolved against its folder.</summary>
    public required string FilePath { get; init; }

    /// <remarks>Required: 1..64 characters, no control characters. Nodes of different namespaces never link.</remarks>
    public required string BrunetNamespace { get; init; }

    /// <remarks>
    /// Optional (class 0, <c>brunet:node:…</c>); null when absent or empty. Filled in on first run from the key
    /// (<see cref="NodeConfigLoader.FillNodeAddress"/>); it must match the key's address.
    /// </remarks>
    public Address? NodeAddress { get; init; }

    /// <remarks>
    /// RemoteTAs/Transport: bootstrap addresses to make leaf links to (UDP or TCP only), duplicates removed, at most
    /// 64, in file order. May be empty (the first node of a new overlay).
    /// </remarks>
    public IReadOnlyList<TransportAddress> RemoteTAs { get; init; } = [];

    /// <remarks>EdgeListeners/EdgeListener: at least one.</remarks>
    public IReadOnlyList<EdgeListenerConfig> EdgeListeners { get; init; } = [];

    /// <remarks>Disabled when the config has neither ControlEndpoint nor XmlRpcManager.</remarks>
    public ControlEndpointConfig ControlEndpoint { get; init; } = new();

    /// <remarks>Always filled by the loader; defaults to KeyPath = node.key beside the config file.</remarks>
    public SecurityConfig Security { get; init; } = default!;

    /// <summary>
    /// <c>&lt;Relay&gt;&lt;MaxBytesPerSecond&gt;</c>: the bandwidth this node gives to relay edges of others (all of
    /// them together, bursts of one second); 0 forwards nothing. Null when the config does not say (the node's default).
    /// </summary>
    public long? RelayMaxBytesPerSecond { get; init; }

    /// <summary>The largest <see cref="RelayMaxBytesPerSecond"/> a config may give: 10 GB/s.</summary>
    public const long MaxRelayBytesPerSecond = 10_000_000_000;

    /// <remarks>
    /// One line each, e.g. <c>bootstrap.config:7: NodeConfig/Foo: unknown element, ignored</c>; the commands print
    /// them to stderr and carry on.
    /// </remarks>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
