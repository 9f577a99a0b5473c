using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Ipop.Dht.PacketPath;
using Ipop.Dht.Tap;

namespace Brunet.MicroBenchmarks;

/// <summary>
/// The VPN's per-frame work around the cryptography: a TSO frame from the host cut into MTU-size segments (send side)
/// and a receive batch's segments merged back into one GSO frame for the host (software GRO). One operation is one
/// 64 KiB frame of 1,148-byte segments each way. Allocations per operation must be 0.
/// </summary>
[MemoryDiagnoser]
public class DataPathBenchmarks
{
    private const int SegmentSize = 1148;
    private const int Segments = 56;
    private readonly byte[] _tso = new byte[14 + 20 + 20 + (SegmentSize * Segments)];
    private readonly byte[][] _segments = new byte[Segments][];
    private readonly byte[] _buffer = new byte[2048];
    private readonly TcpCoalescer _coalescer = new();
    private readonly NullDevice _device = new();
    private TcpSegmentPlan _plan;

    [GlobalSetup]
    public void Setup()
    {
        WriteHeaders(_tso, sequence: 1000, payload: SegmentSize * Segments);
        if (!TapOffload.TryPlanTcp4(_tso, SegmentSize, out _plan) || _plan.Count != Segments)
        {
            throw new InvalidOperationException("the benchmark's TSO frame does not plan");
        }
        for (int i = 0; i < Segments; i++)
        {
            byte[] segment = new byte[14 + 20 + 20 + SegmentSize];
            WriteHeaders(segment, sequence: 1000 + (uint)(i * SegmentSize), payload: SegmentSize);
            _segments[i] = segment;
        }
    }

    /// <summary>A 64 KiB TSO frame cut into its segments (headers copied and fixed, payload copied).</summary>
    [Benchmark]
    public int SegmentTso()
    {
        int total = 0;
        for (int i = 0; i < _plan.Count; i++)
        {
            total += TapOffload.WriteSegment(_tso, _plan, i, _buffer);
        }
        return total;
    }

    /// <summary>56 in-order segments of one flow merged into one GSO frame and written.</summary>
    [Benchmark]
    public long CoalesceSegments()
    {
        foreach (byte[] segment in _segments)
        {
            _coalescer.Add(segment, _device, _device);
        }
        _coalescer.Flush(_device, _device);
        return _coalescer.TakeCoalesced();
    }

    private static void WriteHeaders(Span<byte> frame, uint sequence, int payload)
    {
        frame.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);
        Span<byte> ip = frame[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)Math.Min(65_535, 40 + payload));
        ip[8] = 64;
        ip[9] = 6;
        ip[12] = 100; ip[13] = 64; ip[15] = 10;
        ip[16] = 100; ip[17] = 64; ip[19] = 20;
        Span<byte> tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 1);
        tcp[12] = 5 << 4;
        tcp[13] = 0x10;   // ACK
    }

    private sealed class NullDevice : IFrameDevice, IGsoFrameWriter
    {
        public MacAddress Mac { get; } = new(0x0200_0000_0001);

        public int Mtu => 1200;

        public bool Offload => true;

        public long Bytes { get; private set; }

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(0);

        public void Write(ReadOnlySpan<byte> frame) => Bytes += frame.Length;

        public void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize) => Bytes += frame.Length;
    }
}
