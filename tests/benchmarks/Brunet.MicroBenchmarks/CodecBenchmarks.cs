using BenchmarkDotNet.Attributes;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging;
using Brunet.Routing;
using Brunet.Transport;

namespace Brunet.MicroBenchmarks;

/// <summary>The per-packet codecs and the routing decision. Allocations per operation must be 0.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly byte[] _header = new byte[RoutedHeader.Size];
    private ConnectionTable _table = null!;
    private Address _destination;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        Address self = Address.Random(random);
        _table = ConnectionTable.Empty(self);
        for (int i = 0; i < 16; i++)
        {
            _table = _table.With(new Connection(Address.Random(random), new NullEdge(), ConnectionType.Near, ConnectionType.None));
        }
        _destination = Address.Random(random);
        new RoutedHeader(3, 128, RoutingMode.Exact, self, _destination).WriteTo(_header);
    }

    [Benchmark]
    public bool RoutedHeaderRead() => RoutedHeader.TryRead(_header, out _);

    [Benchmark]
    public void RoutedHeaderWrite() => new RoutedHeader(3, 128, RoutingMode.Exact, _destination, _destination).WriteTo(_header);

    [Benchmark]
    public RouteDecision RouteDecide() => Router.Decide(_table, new RouteInfo(RoutingMode.Exact, _table.Self, _destination));

    private sealed class NullEdge : IConnectionEdge
    {
        public TransportKind Kind => TransportKind.Udp;

        public string RemoteAddress => "brunet.udp://127.0.0.1:1";

        public int MaxFrameSize => 4000;

        public bool TrySend(ReadOnlySpan<byte> frame) => true;
    }
}
