using Brunet.Connections;
using Brunet.Transport;

namespace Brunet.Tests.Dht;

/// <summary>An edge that only names its peer: the fake network delivers by address, not through edges.</summary>
internal sealed class FakeConnectionEdge(string remote) : IConnectionEdge
{
    public TransportKind Kind => TransportKind.Memory;

    public string RemoteAddress { get; } = remote;

    public int MaxFrameSize => 65536;

    public bool TrySend(ReadOnlySpan<byte> frame) => false;
}
