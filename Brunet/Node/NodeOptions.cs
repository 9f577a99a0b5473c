using Brunet.Messaging.Rpc;

namespace Brunet.Node;

/// <summary>
/// The timing and size parameters of one node. Defaults are Brunet's reference parameters (DESIGN.md); tests and the
/// simulator shorten the times.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>How often the node loop runs its maintenance (retransmits, liveness, linking).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Ping a link after this long without hearing from it. Brunet: 15 s; ours is 10 s so that a dead link (a NAT that
    /// rebooted and lost its mappings) is noticed within 10 + 14 s and relinked inside 30 s. Must stay under NAT
    /// mapping timeouts (keep-alives at most every 25 s).
    /// </summary>
    public TimeSpan PingAfterIdle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Resends of a liveness ping before the link is declared dead. With the 2 s minimum timeout and doubling, 2 resends
    /// fail at 14 s.
    /// </summary>
    public int PingResends { get; init; } = 2;

    /// <summary>An edge that has not become a link within this time is closed. Brunet: 30 s.</summary>
    public TimeSpan UnlinkedEdgeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one link attempt over one transport address may take before the next is tried.</summary>
    public TimeSpan LinkAttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After a failed attempt, the same node is not tried again for this long.</summary>
    public TimeSpan FailedPeerCooldown { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Leaf links to RemoteTAs kept while the node is not yet in the ring. Brunet: 3.</summary>
    public int LeafTarget { get; init; } = 3;

    /// <summary>First wait before retrying a bootstrap address; doubles up to <see cref="LeafRetryMax"/>. Brunet: 10 s.</summary>
    public TimeSpan LeafRetryMin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Brunet: 60 s.</summary>
    public TimeSpan LeafRetryMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Near links per side. Brunet: 2.</summary>
    public int NearPerSide { get; init; } = 2;

    /// <summary>A near link is trimmed once it is this far or further on both sides (0-based rank). Brunet: 4th, rank 3.</summary>
    public int NearTrimRank { get; init; } = 3;

    /// <summary>How often a node asks its near neighbours for their neighbours (ring repair).</summary>
    public TimeSpan StabilizeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A node with fewer near links than it wants stabilizes this often.</summary>
    public TimeSpan StabilizeIntervalWhileJoining { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the shortcut count is checked against ceil(0.5 log2 N).</summary>
    public TimeSpan ShortcutInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the set of links changes, the node waits this long before it tells its links (both ends of a new
    /// link have added it by then, and a burst of changes goes out as one list).</summary>
    public TimeSpan LinkListDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A node tells its links its link list at most this often (only when it changed).</summary>
    public TimeSpan LinkListInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Shortcuts are made only when the estimated ring size is above this. Brunet: 10.</summary>
    public int ShortcutMinNetworkSize { get; init; } = 10;

    /// <summary>An on-demand link with no data packet for this long loses its on-demand reason. Brunet: 60 s.</summary>
    public TimeSpan OnDemandIdle { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bytes per second this node forwards for others over relay edges, all of them together.</summary>
    public double RelayBytesPerSecond { get; init; } = DefaultRelayBytesPerSecond;

    /// <summary>The relay cap when node.config has no <c>&lt;Relay&gt;&lt;MaxBytesPerSecond&gt;</c>: 1 MiB/s.</summary>
    public const double DefaultRelayBytesPerSecond = 1 << 20;

    /// <summary>The defaults, with what node.config sets (the relay bandwidth cap).</summary>
    public static NodeOptions For(Config.NodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new NodeOptions { RelayBytesPerSecond = config.RelayMaxBytesPerSecond ?? DefaultRelayBytesPerSecond };
    }

    /// <summary>How often a link over a relay edge retries a direct edge.</summary>
    public TimeSpan RelayUpgradeInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Routed messages' hop limit.</summary>
    public ushort Ttl { get; init; } = Messaging.RoutedHeader.DefaultTtl;

    /// <summary>Links a node keeps at most; beyond it, new link requests are refused (a flood cannot exhaust memory).</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Edges (linked or not) a node keeps at most.</summary>
    public int MaxEdges { get; init; } = 512;

    public RpcOptions Rpc { get; init; } = new();

    /// <summary>Options shortened for tests on loopback: seconds become fractions.</summary>
    public static NodeOptions Fast => new()
    {
        TickInterval = TimeSpan.FromMilliseconds(50),
        PingAfterIdle = TimeSpan.FromSeconds(1),
        PingResends = 2,
        UnlinkedEdgeTimeout = TimeSpan.FromSeconds(5),
        LinkAttemptTimeout = TimeSpan.FromSeconds(3),
        FailedPeerCooldown = TimeSpan.FromSeconds(2),
        LeafRetryMin = TimeSpan.FromMilliseconds(500),
        LeafRetryMax = TimeSpan.FromSeconds(2),
        StabilizeInterval = TimeSpan.FromSeconds(1),
        StabilizeIntervalWhileJoining = TimeSpan.FromMilliseconds(300),
        ShortcutInterval = TimeSpan.FromSeconds(1),
        LinkListDelay = TimeSpan.FromMilliseconds(200),
        LinkListInterval = TimeSpan.FromSeconds(1),
        OnDemandIdle = TimeSpan.FromSeconds(5),
        RelayUpgradeInterval = TimeSpan.FromSeconds(2),
        Rpc = new RpcOptions { MinTimeout = TimeSpan.FromMilliseconds(400), MaxTimeout = TimeSpan.FromSeconds(2), MaxResends = 3 },
    };
}
