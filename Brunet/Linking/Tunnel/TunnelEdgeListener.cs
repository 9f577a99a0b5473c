using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Linking.Tunnel;

/// <summary>
/// Relay edges ("brunet.tunnel://"): when two nodes cannot reach each other directly (both behind symmetric NATs, UDP
/// blocked), they make an edge through a node both are linked to. It sits with the linking layer because its
/// datagrams ride the node's own links.
/// </summary>
public sealed class TunnelEdgeListener : IEdgeListener
{
    private readonly ConcurrentDictionary<(Address Peer, uint Id, bool WeInitiated), TunnelEdge> _edges = new();
    private Func<IEdge, IEdgeHandler?>? _accept;
    private int _disposed;

    public TunnelEdgeListener(ITunnelCarrier carrier)
    {
        Carrier = carrier;
        LocalAddress = TransportAddress.Tunnel(carrier.Self.ToString()[Address.TextPrefix.Length..]);
    }

    internal ITunnelCarrier Carrier { get; }

    public TransportKind Kind => TransportKind.Tunnel;

    public TransportAddress LocalAddress { get; }

    /// <summary>The carrier's frame less the tunnel header.</summary>
    public int MaxDatagramSize => Carrier.MaxTunnelPayload - TunnelHeader.Size;

    public int EdgeCount => _edges.Count;

    public void Start(Func<IEdge, IEdgeHandler?> accept) => _accept = accept;

    public ValueTask<IEdge> ConnectAsync(TransportAddress remote, IEdgeHandler handler, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!TunnelAddress.TryParse(remote, out Address target, out List<Address> forwarders))
        {
            throw new ArgumentException($"{remote} is not a relay address (brunet.tunnel://TARGET/FORWARDER).", nameof(remote));
        }
        Address? forwarder = forwarders.FirstOrDefault(f => f != target && f != Carrier.Self && Carrier.HasDirectLink(f));
        if (forwarder is not { } via || forwarders.All(f => !Carrier.HasDirectLink(f)))
        {
            throw new SocketException((int)SocketError.HostUnreachable, $"{remote}: no forwarder is linked to this node.");
        }
        uint id = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        var edge = new TunnelEdge(this, target, via, id, weInitiated: true, handler);
        _edges[(target, id, true)] = edge;
        return ValueTask.FromResult<IEdge>(edge);
    }

    /// <summary>A tunnel datagram delivered to this node by <paramref name="forwarder"/>. Transport thread.</summary>
    internal void OnDelivered(Address forwarder, in TunnelHeader header, ReadOnlySpan<byte> datagram)
    {
        if (Volatile.Read(ref _disposed) != 0 || datagram.IsEmpty)
        {
            return;
        }
        var key = (header.Origin, header.EdgeId, !header.FromInitiator);
        if (_edges.TryGetValue(key, out TunnelEdge? edge))
        {
            edge.Handler?.OnReceived(edge, datagram);
            return;
        }
        if (!header.FromInitiator || _accept is not { } accept)
        {
            return;   // an answer for an edge we no longer have
        }
        var inbound = new TunnelEdge(this, header.Origin, forwarder, header.EdgeId, weInitiated: false, handler: null);
        IEdgeHandler? handler = accept(inbound);
        if (handler is null)
        {
            return;
        }
        inbound.Handler = handler;
        if (_edges.TryAdd(key, inbound))
        {
            handler.OnReceived(inbound, datagram);
        }
    }

    /// <summary>The link to <paramref name="forwarder"/> is gone: every relay edge through it is dead.</summary>
    public void CloseVia(Address forwarder)
    {
        foreach (TunnelEdge edge in _edges.Values)
        {
            if (edge.Forwarder == forwarder)
            {
                edge.Close("the forwarder's link closed");
            }
        }
    }

    internal void Remove(TunnelEdge edge) => _edges.TryRemove(new KeyValuePair<(Address, uint, bool), TunnelEdge>((edge.Peer, edge.Id, edge.WeInitiated), edge));

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (TunnelEdge edge in _edges.Values)
            {
                edge.Close("listener disposed");
            }
        }
        return ValueTask.CompletedTask;
    }
}
