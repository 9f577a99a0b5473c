using BenchmarkDotNet.Attributes;
using Brunet.Security;
using Brunet.Transport;

namespace Brunet.MicroBenchmarks;

/// <summary>
/// The data path's cryptography: one datagram sealed by one secure edge and opened by its peer (ChaCha20-Poly1305
/// through .NET/OpenSSL, counter, replay window). Allocations per operation must be 0.
/// </summary>
[MemoryDiagnoser]
public class SealOpenBenchmarks : ISecureEdgeHandler
{
    private readonly byte[] _packet = new byte[1200];
    private SecureEdge _sender = null!;
    private long _received;

    [Params(64, 1200)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var a = new LoopbackEdge(TransportAddress.Memory("a"), TransportAddress.Memory("b"), inbound: false);
        var b = new LoopbackEdge(TransportAddress.Memory("b"), TransportAddress.Memory("a"), inbound: true);
        a.Peer = b;
        b.Peer = a;
        var options = new HandshakeOptions("bench") { RekeyAfterMessages = long.MaxValue, RekeyAfterTime = TimeSpan.FromDays(1) };
        _sender = new SecureEdge(NodeIdentity.Generate(), options, isInitiator: true, this, TimeProvider.System);
        var receiver = new SecureEdge(NodeIdentity.Generate(), options, isInitiator: false, this, TimeProvider.System);
        a.Handler = _sender;
        b.Handler = receiver;
        receiver.Attach(b);
        _sender.Attach(a);
        if (!_sender.IsEstablished || !_sender.TrySend(_packet) || !receiver.IsEstablished)
        {
            throw new InvalidOperationException("the benchmark's handshake did not complete");
        }
    }

    [Benchmark]
    public bool SealAndOpen() => _sender.TrySend(_packet.AsSpan(0, Size));

    public void OnEstablished(SecureEdge edge)
    {
    }

    public void OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext) => _received++;

    public void OnClosed(SecureEdge edge, string reason)
    {
    }
}
