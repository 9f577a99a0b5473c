using Brunet.Connections;
using Brunet.Transport;

namespace Brunet.Tests.Connections;

/// <summary>An edge that accepts and forgets every frame: for tables and routing decisions, where nothing is sent.</summary>
internal sealed class NullConnectionEdge : IConnectionEdge
{
    public static NullConnectionEdge Instance { get; } = new();

    public TransportKind Kind => TransportKind.Memory;

    public string RemoteAddress => "brunet.mem://null";

    public int MaxFrameSize => 1400;

    public bool TrySend(ReadOnlySpan<byte> frame) => true;

    public static Connection Link(Brunet.Addressing.Address peer, ConnectionType types = ConnectionType.Near) =>
        new(peer, Instance, types, ConnectionType.None);
}
