using BenchmarkDotNet.Attributes;
using Brunet.Security;
using Brunet.Transport;

namespace Brunet.MicroBenchmarks;

/// <summary>
/// A 64 KB TSO frame across a secure edge: as one super-frame (one seal, 54 chunks of a 1228-byte datagram, reassembly,
/// one open) against the per-segment path it replaces (54 datagrams of 1,200 bytes, each sealed and opened).
/// SealAndChunk is the sender alone. Allocations per operation must be 0.
/// </summary>
[MemoryDiagnoser]
public class SuperFrameBenchmarks : ISecureEdgeHandler
{
    // What the VPN sends for a 1200-byte MTU: a TSO frame of 65,535 bytes (+ 2 framing bytes and 4 of GSO facts);
    // the datagram of a full segment is 1,200 + 2 + 26.
    private const int FrameSize = 65_535 + 6;
    private const int MaxDatagram = 1228;
    private const int SegmentSize = 1200;
    private readonly byte[] _frame = new byte[FrameSize];
    private LoopbackEdge _a = null!;
    private SecureEdge _sender = null!;
    private long _received;

    [GlobalSetup]
    public void Setup()
    {
        _a = new LoopbackEdge(TransportAddress.Memory("a"), TransportAddress.Memory("b"), inbound: false);
        var b = new LoopbackEdge(TransportAddress.Memory("b"), TransportAddress.Memory("a"), inbound: true);
        _a.Peer = b;
        b.Peer = _a;
        var options = new HandshakeOptions("bench") { RekeyAfterMessages = long.MaxValue, RekeyAfterTime = TimeSpan.FromDays(1), AcceptSuperFrames = true };
        _sender = new SecureEdge(NodeIdentity.Generate(), options, isInitiator: true, this, TimeProvider.System);
        var receiver = new SecureEdge(NodeIdentity.Generate(), options, isInitiator: false, this, TimeProvider.System);
        _a.Handler = _sender;
        b.Handler = receiver;
        receiver.Attach(b);
        _sender.Attach(_a);
        if (!_sender.IsEstablished || !_sender.PeerAcceptsSuperFrames || !_sender.TrySendSuperFrame(_frame, MaxDatagram) || _received != 1)
        {
            throw new InvalidOperationException("the benchmark's handshake or negotiation did not complete");
        }
    }

    [Benchmark]
    public bool SealChunkReassembleOpen()
    {
        _a.Discard = false;
        return _sender.TrySendSuperFrame(_frame, MaxDatagram);
    }

    [Benchmark]
    public bool SealAndChunk()
    {
        _a.Discard = true;
        return _sender.TrySendSuperFrame(_frame, MaxDatagram);
    }

    [Benchmark(Baseline = true)]
    public bool PerSegmentSealAndOpen()
    {
        _a.Discard = false;
        bool sent = true;
        for (int offset = 0; offset < FrameSize; offset += SegmentSize)
        {
            sent &= _sender.TrySend(_frame.AsSpan(offset, Math.Min(SegmentSize, FrameSize - offset)));
        }
        return sent;
    }

    public void OnEstablished(SecureEdge edge)
    {
    }

    public void OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext) => _received++;

    public void OnClosed(SecureEdge edge, string reason)
    {
    }
}
