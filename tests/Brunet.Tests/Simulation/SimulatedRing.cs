using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging.Rpc;
using Brunet.Node;
using Brunet.Security;
using Brunet.Simulation;
using Brunet.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Tests.Simulation;

/// <summary>Real overlay nodes on the in-memory network in virtual time: one thread, deterministic for a seed.</summary>
internal sealed class SimulatedRing
{
    private readonly MemoryNetwork _network;
    private readonly Random _random;
    private readonly NodeOptions _options;
    private readonly string _namespace;

    public SimulatedRing(int seed, NodeOptions? options = null, string ns = "sim")
    {
        Seed = seed;
        _random = new Random(seed);
        Scheduler = new VirtualScheduler();
        _network = new MemoryNetwork(Scheduler, new Random(seed)) { Latency = TimeSpan.FromMilliseconds(5) };
        _options = options ?? NodeOptions.Fast;
        _namespace = ns;
    }

    public int Seed { get; }

    public VirtualScheduler Scheduler { get; }

    public MemoryNetwork Network => _network;

    public List<OverlayNode> Nodes { get; } = [];

    public Dictionary<OverlayNode, string> Names { get; } = [];

    public HashSet<OverlayNode> Dead { get; } = [];

    public IEnumerable<OverlayNode> Alive => Nodes.Where(n => !Dead.Contains(n));

    /// <summary>Node indexes whose log goes to the test output.</summary>
    public HashSet<int> Logged { get; } = [];

    public NodeIdentity NewIdentity()
    {
        byte[] keys = new byte[64];
        _random.NextBytes(keys);
        return NodeIdentity.FromPrivateKeys(keys.AsSpan(0, 32), keys.AsSpan(32, 32));
    }

    /// <param name="bootstrapOf">Picks the node to join through (null: start a ring of its own); default the first live node.</param>
    public OverlayNode AddNode(string? ns = null, NodeIdentity? identity = null, Action<OverlayNode>? beforeStart = null, Func<OverlayNode?>? bootstrapOf = null)
    {
        identity ??= NewIdentity();
        string name = $"n{Nodes.Count}";
        MemoryEdgeListener listener = _network.CreateListener(name);
        OverlayNode? bootstrap = bootstrapOf is null ? Alive.FirstOrDefault() : bootstrapOf();
        IReadOnlyList<TransportAddress> remotes = bootstrap is null ? [] : [TransportAddress.Memory(Names[bootstrap])];
        Microsoft.Extensions.Logging.ILogger logger = Logged.Contains(Nodes.Count)
            ? new TestOutputLogger(name, () => Scheduler.Now)
            : NullLogger.Instance;
        var node = new OverlayNode(identity, ns ?? _namespace, [listener], remotes, Scheduler, _options, logger, _random.Next());
        Nodes.Add(node);
        Names[node] = name;
        beforeStart?.Invoke(node);
        node.Start();
        return node;
    }

    /// <summary>Kills <paramref name="count"/> random live nodes other than the first, without goodbye; returns their addresses.</summary>
    public HashSet<Address> KillRandom(int count)
    {
        var random = new Random(Seed);
        List<OverlayNode> victims = [.. Alive.Skip(1).OrderBy(_ => random.Next()).Take(count)];
        foreach (OverlayNode victim in victims)
        {
            Kill(victim);
        }
        return [.. victims.Select(v => v.Address)];
    }

    public void Kill(OverlayNode node)
    {
        Dead.Add(node);
        node.Halt();
        _network.Crash(Names[node]);
    }

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

    /// <summary>True when every live node's immediate neighbours are the true ones.</summary>
    public bool NeighboursAreTrue()
    {
        var sorted = Alive.OrderBy(n => n.Address).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            ConnectionTable table = sorted[i].Connections;
            if (table.Right(0)?.Peer != sorted[(i + 1) % sorted.Count].Address
                || table.Left(0)?.Peer != sorted[(i - 1 + sorted.Count) % sorted.Count].Address)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Runs virtual time in small steps until the ring is correct; returns the virtual time it took, or null.</summary>
    public TimeSpan? RunUntilConsistent(TimeSpan limit)
    {
        TimeSpan start = Scheduler.Now;
        while (Scheduler.Now - start < limit)
        {
            Scheduler.RunFor(TimeSpan.FromMilliseconds(100));
            if (NeighboursAreTrue() && Consistency().Consistency == 1.0)
            {
                return Scheduler.Now - start;
            }
        }
        return null;
    }

    /// <summary>Sends a routed exact-mode ping from every live node to every other; returns the failures.</summary>
    public List<string> PingAllPairs(TimeSpan wait, out List<int> hops)
    {
        var failures = new List<string>();
        var results = new List<(OverlayNode From, OverlayNode To, RpcResult? Result)>();
        var alive = Alive.ToList();
        foreach (OverlayNode from in alive)
        {
            foreach (OverlayNode to in alive)
            {
                if (from == to)
                {
                    continue;
                }
                int index = results.Count;
                results.Add((from, to, null));
                from.Rpc.Call(RpcTarget.Routed(to.Address), Methods.Ping, [], r => results[index] = (from, to, r));
            }
        }
        Scheduler.RunFor(wait);
        hops = [];
        foreach ((OverlayNode from, OverlayNode to, RpcResult? result) in results)
        {
            if (result is not { IsOk: true } || result.From != to.Address)
            {
                failures.Add($"{from.Address.ToShortString()} -> {to.Address.ToShortString()}: {result?.ToString() ?? "no answer yet"}");
            }
        }
        return failures;
    }
}
