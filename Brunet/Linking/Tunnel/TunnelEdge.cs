using System.Buffers;
using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Linking.Tunnel;

/// <summary>
/// A relay edge: datagrams to <see cref="Peer"/> travel through <see cref="Forwarder"/>, a node both are linked to.
/// The secure edge above runs its handshake end to end through it, so the forwarder carries only ciphertext.
/// </summary>
internal sealed class TunnelEdge : IEdge
{
    private readonly TunnelEdgeListener _listener;
    private IEdgeHandler? _handler;
    private string? _closeReason;

    public TunnelEdge(TunnelEdgeListener listener, Address peer, Address forwarder, uint id, bool weInitiated, IEdgeHandler? handler)
    {
        _listener = listener;
        Peer = peer;
        Forwarder = forwarder;
        Id = id;
        WeInitiated = weInitiated;
        _handler = handler;
        RemoteAddress = TunnelAddress.Format(peer, [forwarder]);
    }

    public Address Peer { get; }

    public Address Forwarder { get; }

    public uint Id { get; }

    public bool WeInitiated { get; }

    public TransportKind Kind => TransportKind.Tunnel;

    public TransportAddress LocalAddress => _listener.LocalAddress;

    public TransportAddress RemoteAddress { get; }

    public bool IsInbound => !WeInitiated;

    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    internal IEdgeHandler? Handler
    {
        get => Volatile.Read(ref _handler);
        set => Volatile.Write(ref _handler, value);
    }

    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        if (IsClosed || datagram.IsEmpty || datagram.Length > _listener.MaxDatagramSize)
        {
            return false;
        }
        int length = TunnelHeader.Size + datagram.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            new TunnelHeader(TunnelOp.Forward, _listener.Carrier.Self, Peer, Id, WeInitiated).WriteTo(buffer);
            datagram.CopyTo(buffer.AsSpan(TunnelHeader.Size));
            return _listener.Carrier.SendTunnel(Forwarder, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);   // ciphertext only: nothing to clear
        }
    }

    public void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            _listener.Remove(this);
            Handler?.OnClosed(this, reason);
        }
    }

    public override string ToString() => RemoteAddress.ToString();
}
