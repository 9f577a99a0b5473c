using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Dht;
using Brunet.Messaging.Rpc;
using Brunet.Routing;

namespace Brunet.Tests.Dht;

/// <summary>
/// An in-process ring of DHT nodes on one deterministic scheduler: every node's loop work and every message goes
/// through one queue that the test pumps (in order, or in a seeded random order), in virtual time. Closest-routed
/// calls reach the live node nearest the address, direct and exact calls the named node; a killed node's messages
/// vanish, so its callers time out. Each node's connection table holds its true ring neighbours, 2 per side.
/// </summary>
internal sealed class FakeDhtNetwork : IAsyncDisposable
{
    private readonly Queue<Action> _fifo = new();
    private readonly List<Action> _shuffled = [];
    private readonly List<FakeDhtHost> _hosts = [];
    private readonly Dictionary<Address, FakeDhtHost> _byAddress = [];
    private readonly Random _random;
    private readonly ITimer _rpcTicker;

    public FakeDhtNetwork(int seed, DhtOptions? options = null)
    {
        Seed = seed;
        _random = new Random(seed);
        Options = options ?? new DhtOptions { Verifier = FastTestSigner.Verifier };
        _rpcTicker = Time.CreateTimer(_ => Enqueue(TickAll), null, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
    }

    public int Seed { get; }

    public ManualTimeProvider Time { get; } = new();

    public DhtOptions Options { get; }

    /// <summary>Deliver queued work in a random order rather than first-in, first-out.</summary>
    public bool Shuffle { get; set; }

    public Random Random => _random;

    public IReadOnlyList<FakeDhtHost> Alive => [.. _hosts.Where(h => h.IsAlive)];

    public long Delivered { get; private set; }

    /// <summary>Adds and starts a node; with <paramref name="signer"/> null, a fast test signer at a random address.</summary>
    public FakeDhtHost AddHost(IDhtSigner? signer = null, string? databasePath = null)
    {
        signer ??= new FastTestSigner(_random, Address.Random(_random));
        var host = new FakeDhtHost(this, signer, databasePath);
        _hosts.Add(host);
        _byAddress[host.Address] = host;
        host.Dht = new DhtNode(host, Options, databasePath, new Random(_random.Next()));
        UpdateTables();
        host.Post(host.Dht.Start);
        return host;
    }

    public void AddHosts(int count)
    {
        for (int i = 0; i < count; i++)
        {
            AddHost();
        }
    }

    /// <summary>Kills a node without a goodbye: queued work and messages to it vanish. Its database is closed.</summary>
    public void Kill(FakeDhtHost host, bool update = true)
    {
        host.IsAlive = false;
        host.Dht.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (update)
        {
            UpdateTables();
        }
    }

    public void KillMany(IEnumerable<FakeDhtHost> hosts)
    {
        foreach (FakeDhtHost host in hosts)
        {
            Kill(host, update: false);
        }
        UpdateTables();
    }

    /// <summary>Starts a killed node again with a fresh loop, from its database file.</summary>
    public void Restart(FakeDhtHost host)
    {
        host.IsAlive = true;
        host.ResetRpc();
        host.Dht = new DhtNode(host, Options, host.DatabasePath, new Random(_random.Next()));
        UpdateTables();
        host.Post(host.Dht.Start);
    }

    public void Enqueue(Action work)
    {
        if (Shuffle)
        {
            _shuffled.Add(work);
        }
        else
        {
            _fifo.Enqueue(work);
        }
    }

    public bool Send(FakeDhtHost from, in RpcTarget target, ReadOnlySpan<byte> payload)
    {
        FakeDhtHost? to = target.IsDirect || target.Mode == RoutingMode.Exact
            ? _byAddress.GetValueOrDefault(target.Address)
            : Nearest(target.Address);
        if (to is null || !to.IsAlive)
        {
            return !target.IsDirect;   // a routed packet is lost in the network; a dead edge fails at once
        }
        byte[] copy = payload[1..].ToArray();   // after the payload-type byte, as the node hands it to RPC
        RpcTarget replyTo = target.IsDirect ? RpcTarget.Direct(from, from.Address) : RpcTarget.Routed(from.Address);
        Address source = from.Address;
        Enqueue(() =>
        {
            if (to.IsAlive)
            {
                Delivered++;
                to.Rpc.OnMessage(replyTo, source, copy);
            }
        });
        return true;
    }

    /// <summary>Runs queued work and timers until <paramref name="duration"/> of virtual time has passed.</summary>
    public void Run(TimeSpan duration)
    {
        DateTimeOffset end = Time.GetUtcNow() + duration;
        while (true)
        {
            Pump();
            if (Time.NextDue is not { } due || due > end)
            {
                break;
            }
            Time.AdvanceTo(due);
            while (Time.FireOneDue())
            {
                Pump();
            }
        }
        Time.AdvanceTo(end);
    }

    /// <summary>Runs until <paramref name="task"/> completes (or <paramref name="limit"/> passes) and returns its result.</summary>
    public T Await<T>(Task<T> task, TimeSpan? limit = null)
    {
        DateTimeOffset end = Time.GetUtcNow() + (limit ?? TimeSpan.FromMinutes(5));
        while (!task.IsCompleted && Time.GetUtcNow() < end)
        {
            Run(TimeSpan.FromMilliseconds(100));
        }
        Assert.That(task.IsCompleted, Is.True, $"the operation did not finish in virtual time (seed {Seed})");
        return task.GetAwaiter().GetResult();
    }

    public FakeDhtHost? Nearest(Address key)
    {
        FakeDhtHost? best = null;
        foreach (FakeDhtHost host in _hosts)
        {
            if (!host.IsAlive)
            {
                continue;
            }
            if (best is null)
            {
                best = host;
                continue;
            }
            Address distance = host.Address.DistanceTo(key);
            Address bestDistance = best.Address.DistanceTo(key);
            if (distance < bestDistance || (distance == bestDistance && host.Address < best.Address))
            {
                best = host;
            }
        }
        return best;
    }

    /// <summary>The live nodes that should hold <paramref name="key"/>: the two around each of its replica points.</summary>
    public HashSet<FakeDhtHost> Holders(string key)
    {
        List<FakeDhtHost> ring = [.. _hosts.Where(h => h.IsAlive).OrderBy(h => h.Address)];
        var holders = new HashSet<FakeDhtHost>();
        foreach (Address point in DhtPlacement.Points(System.Text.Encoding.UTF8.GetBytes(key), Options.ReplicaPoints))
        {
            int successor = ring.FindIndex(h => h.Address >= point);
            successor = successor < 0 ? 0 : successor;
            holders.Add(ring[successor]);
            holders.Add(ring[(successor - 1 + ring.Count) % ring.Count]);
        }
        return holders;
    }

    public FakeDhtHost Pick() => Alive[_random.Next(Alive.Count)];

    public ValueTask DisposeAsync()
    {
        _rpcTicker.Dispose();
        foreach (FakeDhtHost host in _hosts.Where(h => h.IsAlive))
        {
            host.IsAlive = false;
            host.Dht.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return ValueTask.CompletedTask;
    }

    private void Pump()
    {
        long guard = 0;
        while (true)
        {
            Action work;
            if (_fifo.Count > 0)
            {
                work = _fifo.Dequeue();
            }
            else if (_shuffled.Count > 0)
            {
                int index = _random.Next(_shuffled.Count);
                work = _shuffled[index];
                _shuffled[index] = _shuffled[^1];
                _shuffled.RemoveAt(_shuffled.Count - 1);
            }
            else
            {
                return;
            }
            work();
            if (++guard > 50_000_000)
            {
                Assert.Fail($"the fake network does not settle (seed {Seed})");
            }
        }
    }

    private void TickAll()
    {
        foreach (FakeDhtHost host in _hosts)
        {
            if (host.IsAlive)
            {
                host.Rpc.Tick();
            }
        }
    }

    /// <summary>Gives every live node its 2 nearest live nodes per side; nodes whose table changed get the event.</summary>
    private void UpdateTables()
    {
        List<FakeDhtHost> ring = [.. _hosts.Where(h => h.IsAlive).OrderBy(h => h.Address)];
        for (int i = 0; i < ring.Count; i++)
        {
            FakeDhtHost host = ring[i];
            ConnectionTable table = ConnectionTable.Empty(host.Address);
            for (int step = 1; step <= 2 && step < ring.Count; step++)
            {
                foreach (FakeDhtHost peer in new[] { ring[(i + step) % ring.Count], ring[((i - step) % ring.Count + ring.Count) % ring.Count] })
                {
                    if (peer != host && !table.Contains(peer.Address))
                    {
                        table = table.With(new Connection(peer.Address, new FakeConnectionEdge(peer.Address.ToShortString()), ConnectionType.Near, ConnectionType.Near));
                    }
                }
            }
            bool changed = !table.Clockwise.Select(c => c.Peer).SequenceEqual(host.Connections.Clockwise.Select(c => c.Peer));
            host.Connections = table;
            if (changed)
            {
                host.Post(host.RaiseConnectionsChanged);
            }
        }
    }
}
