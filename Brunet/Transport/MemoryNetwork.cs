using System.Net.Sockets;

namespace Brunet.Transport;

/// <summary>
/// An in-memory network of named listeners (<c>brunet.mem://NAME</c>) for deterministic tests and the simulator.
/// Datagrams are copied on send and delivered after <see cref="Latency"/>, in order per edge, unless lost
/// (<see cref="LossRate"/>, drawn from a seeded <see cref="Random"/>).
/// </summary>
/// <remarks>
/// Edges come in pairs made at connect time, like TCP: <see cref="MemoryEdgeListener.ConnectAsync"/> calls the
/// target's accept callback at once (on the caller's thread) and fails if the target is unknown, crashed, not
/// started, or refuses. Closing one side tells the other ("remote closed") after the latency, behind the datagrams
/// already in flight; a crashed node tells nobody anything.
/// </remarks>
public sealed class MemoryNetwork
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemoryEdgeListener> _listeners = new(StringComparer.Ordinal);
    private readonly Lock _randomGate = new();
    private readonly Random _random;
    private long _latencyTicks;
    private double _lossRate;
    private int _maxDatagramSize = 65_000;
    private int _maxInFlightPerEdge = 4096;
    private long _delivered;
    private long _lost;
    private long _handlerFaults;

    /// <param name="scheduler">Runs deliveries; null: the thread pool and the system clock.</param>
    /// <param name="random">Draws losses; null: <c>new Random(0)</c>, so runs repeat. Used under a lock.</param>
    public MemoryNetwork(IMemoryScheduler? scheduler = null, Random? random = null)
    {
        Scheduler = scheduler ?? ThreadPoolMemoryScheduler.System;
        _random = random ?? new Random(0);
    }

    public IMemoryScheduler Scheduler { get; }

    /// <summary>One-way delay of every datagram and close notice. Defaults to zero.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>Probability (0 to 1) that a datagram is lost. Defaults to 0. Close notices are never lost.</summary>
    public double LossRate
    {
        get => Volatile.Read(ref _lossRate);
        set
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A loss rate is between 0 and 1.");
            }
            Volatile.Write(ref _lossRate, value);
        }
    }

    /// <summary>Largest datagram an edge carries. Defaults to 65,000, as UDP.</summary>
    public int MaxDatagramSize
    {
        get => Volatile.Read(ref _maxDatagramSize);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _maxDatagramSize, value);
        }
    }

    /// <summary>
    /// Datagrams in flight towards one edge before <see cref="IEdge.TrySend"/> returns false: the bounded queue of
    /// this transport. Defaults to 4096.
    /// </summary>
    public int MaxInFlightPerEdge
    {
        get => Volatile.Read(ref _maxInFlightPerEdge);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _maxInFlightPerEdge, value);
        }
    }

    /// <summary>Datagrams handed to a handler.</summary>
    public long DatagramsDelivered => Interlocked.Read(ref _delivered);

    /// <summary>Datagrams accepted by TrySend that never reached a handler: lost, or sent to a crashed node or a closed edge.</summary>
    public long DatagramsLost => Interlocked.Read(ref _lost);

    /// <summary>
    /// Exceptions thrown by handlers on delivery (each closes its edge). Tests should expect zero: the pump swallows
    /// them only so that one faulty handler cannot stop the network.
    /// </summary>
    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    /// <summary>Makes the listener <c>brunet.mem://<paramref name="name"/></c>.</summary>
    /// <exception cref="InvalidOperationException">A live listener already has that name (a crashed or disposed one is replaced).</exception>
    public MemoryEdgeListener CreateListener(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > TransportAddress.MaxTextLength - "brunet.mem://".Length || name.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a usable listener name (too long, or contains '://').", nameof(name));
        }
        lock (_gate)
        {
            if (_listeners.TryGetValue(name, out MemoryEdgeListener? existing) && existing.IsLive)
            {
                throw new InvalidOperationException($"brunet.mem://{name} already exists.");
            }
            var listener = new MemoryEdgeListener(this, name);
            _listeners[name] = listener;
            return listener;
        }
    }

    /// <summary>
    /// The node <paramref name="name"/> vanishes: its edges stop sending and receiving, datagrams to it are lost, and
    /// neither its peers nor its own handlers are told anything (as when a UDP host loses power).
    /// </summary>
    /// <exception cref="ArgumentException">No listener has that name.</exception>
    public void Crash(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        MemoryEdgeListener? listener;
        lock (_gate)
        {
            _listeners.TryGetValue(name, out listener);
        }
        if (listener is null)
        {
            throw new ArgumentException($"brunet.mem://{name} does not exist.", nameof(name));
        }
        listener.Crash();
    }

    private readonly HashSet<(string, string)> _blocked = [];

    /// <summary>
    /// From now on <paramref name="a"/> and <paramref name="b"/> cannot open edges to each other (as two hosts behind
    /// symmetric NATs); edges already open keep working. <paramref name="blocked"/> false lifts it.
    /// </summary>
    public void Block(string a, string b, bool blocked = true)
    {
        lock (_gate)
        {
            if (blocked)
            {
                _blocked.Add((a, b));
                _blocked.Add((b, a));
            }
            else
            {
                _blocked.Remove((a, b));
                _blocked.Remove((b, a));
            }
        }
    }

    internal bool IsBlocked(string a, string b)
    {
        lock (_gate)
        {
            return _blocked.Contains((a, b));
        }
    }

    /// <summary>The live listener called <paramref name="name"/>.</summary>
    /// <exception cref="SocketException">ConnectionRefused: no such live listener.</exception>
    internal MemoryEdgeListener FindLive(string name)
    {
        lock (_gate)
        {
            if (_listeners.TryGetValue(name, out MemoryEdgeListener? listener) && listener.IsLive)
            {
                return listener;
            }
        }
        throw new SocketException((int)SocketError.ConnectionRefused, $"brunet.mem://{name}: no such node, or it crashed.");
    }

    internal void Remove(MemoryEdgeListener listener)
    {
        lock (_gate)
        {
            if (_listeners.TryGetValue(listener.Name, out MemoryEdgeListener? current) && ReferenceEquals(current, listener))
            {
                _listeners.Remove(listener.Name);
            }
        }
    }

    /// <summary>Draws whether the next datagram is lost.</summary>
    internal bool DrawLoss()
    {
        double rate = LossRate;
        if (rate <= 0)
        {
            return false;
        }
        lock (_randomGate)
        {
            return _random.NextDouble() < rate;
        }
    }

    internal void CountDelivered() => Interlocked.Increment(ref _delivered);

    internal void CountLost() => Interlocked.Increment(ref _lost);

    internal void CountHandlerFault() => Interlocked.Increment(ref _handlerFaults);
}
