using System.Collections.Concurrent;

namespace Brunet.Transport;

/// <summary>A node's listener on a <see cref="MemoryNetwork"/>, at <c>brunet.mem://NAME</c>.</summary>
/// <remarks>
/// <see cref="ConnectAsync"/> completes synchronously: it asks the target's accept callback for a handler at once,
/// on the caller's thread, and throws <see cref="System.Net.Sockets.SocketException"/> (ConnectionRefused) when the
/// target is unknown, crashed, not started, or its accept returns null. Empty datagrams are never sent.
/// </remarks>
public sealed class MemoryEdgeListener : IEdgeListener
{
    private readonly MemoryNetwork _network;
    private readonly ConcurrentDictionary<MemoryEdge, byte> _edges = new();
    private Func<IEdge, IEdgeHandler?>? _accept;
    private int _crashed;
    private int _disposed;

    internal MemoryEdgeListener(MemoryNetwork network, string name)
    {
        _network = network;
        Name = name;
        LocalAddress = TransportAddress.Memory(name);
    }

    public string Name { get; }

    public TransportKind Kind => TransportKind.Memory;

    public TransportAddress LocalAddress { get; }

    /// <summary>The network's <see cref="MemoryNetwork.MaxDatagramSize"/>.</summary>
    public int MaxDatagramSize => _network.MaxDatagramSize;

    /// <summary>True after <see cref="MemoryNetwork.Crash"/>: nothing goes in or out, and nobody is told.</summary>
    public bool IsCrashed => Volatile.Read(ref _crashed) != 0;

    /// <summary>Open edges (a crashed listener keeps its edges open, but they are dead).</summary>
    public int EdgeCount => _edges.Count;

    internal MemoryNetwork Network => _network;

    internal bool IsLive => Volatile.Read(ref _crashed) == 0 && Volatile.Read(ref _disposed) == 0;

    public void Start(Func<IEdge, IEdgeHandler?> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _accept, accept, null) is not null)
        {
            throw new InvalidOperationException($"{LocalAddress} is already started.");
        }
    }

    /// <exception cref="System.Net.Sockets.SocketException">ConnectionRefused: the target does not exist, crashed, is not started or refused.</exception>
    /// <exception cref="InvalidOperationException">This listener crashed.</exception>
    public ValueTask<IEdge> ConnectAsync(TransportAddress remote, IEdgeHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IEdge>(cancellationToken);
        }
        if (remote.Kind != TransportKind.Memory)
        {
            throw new ArgumentException($"{remote} is not a brunet.mem address.", nameof(remote));
        }
        if (IsCrashed)
        {
            throw new InvalidOperationException($"{LocalAddress} crashed; it cannot connect.");
        }
        if (_network.IsBlocked(Name, remote.Authority))
        {
            throw new System.Net.Sockets.SocketException(
                (int)System.Net.Sockets.SocketError.ConnectionRefused, $"{remote} cannot be reached from {LocalAddress} (blocked).");
        }
        MemoryEdgeListener target = _network.FindLive(remote.Authority);
        var outbound = new MemoryEdge(this, target.LocalAddress, inbound: false, handler);
        var inbound = new MemoryEdge(target, LocalAddress, inbound: true, handler: null);
        outbound.Pair(inbound);
        inbound.Pair(outbound);
        if (!target.TryAccept(inbound))
        {
            throw new System.Net.Sockets.SocketException(
                (int)System.Net.Sockets.SocketError.ConnectionRefused, $"{remote} refused the edge from {LocalAddress}.");
        }
        Register(outbound);
        return ValueTask.FromResult<IEdge>(outbound);
    }

    /// <summary>
    /// Closes every edge ("listener disposed"; handlers hear once; peers hear "remote closed" unless this node
    /// crashed) and frees the name.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }
        foreach (MemoryEdge edge in _edges.Keys)
        {
            edge.Close("listener disposed");
        }
        _network.Remove(this);
        return ValueTask.CompletedTask;
    }

    internal void Crash() => Volatile.Write(ref _crashed, 1);

    internal void Remove(MemoryEdge edge) => _edges.TryRemove(edge, out _);

    private bool TryAccept(MemoryEdge inbound)
    {
        Func<IEdge, IEdgeHandler?>? accept = Volatile.Read(ref _accept);
        IEdgeHandler? handler = accept?.Invoke(inbound);
        if (handler is null || inbound.IsClosed)
        {
            inbound.CloseSilently("refused by accept");
            return false;
        }
        inbound.SetHandler(handler);
        Register(inbound);
        return true;
    }

    private void Register(MemoryEdge edge)
    {
        _edges.TryAdd(edge, 0);
        if (Volatile.Read(ref _disposed) != 0)
        {
            edge.Close("listener disposed");
        }
    }
}
