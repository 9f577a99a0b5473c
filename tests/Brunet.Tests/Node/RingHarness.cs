using System.Diagnostics;
using System.Net;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Tests.Node;

/// <summary>Runs N real overlay nodes in the test process over UDP on loopback or the in-memory transport.</summary>
internal sealed class RingHarness : IAsyncDisposable
{
    private readonly MemoryNetwork? _memory;
    private readonly string _namespace;
    private readonly NodeOptions _options;
    private int _created;

    private RingHarness(bool udp, string ns, NodeOptions options)
    {
        _memory = udp ? null : new MemoryNetwork();
        _namespace = ns;
        _options = options;
    }

    public List<OverlayNode> Nodes { get; } = [];

    public List<OverlayNode> Alive => [.. Nodes.Where(n => !Crashed.Contains(n) && !Excluded.Contains(n))];

    /// <summary>Nodes that are not expected in the ring (strangers, liars).</summary>
    public HashSet<OverlayNode> Excluded { get; } = [];

    public HashSet<OverlayNode> Crashed { get; } = [];

    public static RingHarness Udp(string ns = "test", NodeOptions? options = null) => new(true, ns, options ?? NodeOptions.Fast);

    public static RingHarness Memory(string ns = "test", NodeOptions? options = null) => new(false, ns, options ?? NodeOptions.Fast);

    public OverlayNode AddNode(IReadOnlyList<TransportAddress>? remotes = null, NodeIdentity? identity = null, string? ns = null, Address? claimedAddress = null)
    {
        IEdgeListener listener = _memory is null
            ? new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0))
            : _memory.CreateListener($"n{_created++}");
        remotes ??= Nodes.Count == 0 ? [] : [Nodes[0].TransportAddresses[0]];
        var loop = new SerialLoop(TimeProvider.System, NullLogger.Instance);
        var node = new OverlayNode(identity ?? NodeIdentity.Generate(), ns ?? _namespace, [listener], remotes, loop, _options, NullLogger.Instance);
        node.ClaimedAddressOverride = claimedAddress;
        Nodes.Add(node);
        node.Start();
        return node;
    }

    public async Task CrashAsync(OverlayNode node)
    {
        Crashed.Add(node);
        await node.CrashAsync();
    }

    /// <summary>Brunet's consistency over the live nodes, from each node's own table.</summary>
    public RingConsistency.Result Consistency()
    {
        var views = new Dictionary<Address, NeighbourView>();
        foreach (OverlayNode node in Alive)
        {
            ConnectionTable table = node.Connections;
            views[node.Address] = new NeighbourView(table.Right(0)?.Peer, table.Right(1)?.Peer, table.Left(0)?.Peer, table.Left(1)?.Peer);
        }
        return RingConsistency.Check(views);
    }

    /// <summary>True when every live node's immediate neighbours are the true ones (sorted order of live addresses).</summary>
    public bool NeighboursAreTrue(out string problem)
    {
        var sorted = Alive.Select(n => n.Address).OrderBy(a => a).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            OverlayNode node = Alive.First(n => n.Address == sorted[i]);
            Address trueRight = sorted[(i + 1) % sorted.Count];
            Address trueLeft = sorted[(i - 1 + sorted.Count) % sorted.Count];
            ConnectionTable table = node.Connections;
            if (table.Right(0)?.Peer != trueRight || table.Left(0)?.Peer != trueLeft)
            {
                problem = $"{node.Address.ToShortString()}: right {table.Right(0)?.Peer.ToShortString()} (true {trueRight.ToShortString()}), left {table.Left(0)?.Peer.ToShortString()} (true {trueLeft.ToShortString()}), {table.Count} links";
                return false;
            }
        }
        problem = "";
        return true;
    }

    /// <summary>Waits until the ring is correct; returns how long it took, or fails the test after <paramref name="limit"/>.</summary>
    public async Task<TimeSpan> WaitForRingAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        string problem = "";
        while (clock.Elapsed < limit)
        {
            if (NeighboursAreTrue(out problem) && Consistency().Consistency == 1.0)
            {
                return clock.Elapsed;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"The ring of {Alive.Count} nodes was not correct after {limit.TotalSeconds} s: {problem}; consistency {Consistency().Consistency:F3}");
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Alive.Select(n => n.DisposeAsync().AsTask()));
    }
}
