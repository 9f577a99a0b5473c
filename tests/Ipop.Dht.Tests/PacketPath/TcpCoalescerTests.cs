using System.Buffers.Binary;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

public class TcpCoalescerTests
{
    private sealed class Device : IFrameDevice, IGsoFrameWriter
    {
        public List<byte[]> Frames { get; } = [];

        public List<(byte[] Frame, int SegmentSize)> GsoFrames { get; } = [];

        public MacAddress Mac => MacAddress.VirtualGateway;

        public int Mtu => 1200;

        public bool Offload => true;

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public void Write(ReadOnlySpan<byte> frame) => Frames.Add(frame.ToArray());

        public void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize) => GsoFrames.Add((frame.ToArray(), segmentSize));
    }

    private static byte[] Segment(uint sequence, int payload, byte flags = 0x10, ushort sourcePort = 40000)
    {
        byte[] frame = new byte[14 + 20 + 20 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        Span<byte> ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(40 + payload));
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);     // DF
        ip[8] = 64;
        ip[9] = 6;
        new byte[] { 100, 64, 0, 1, 100, 64, 0, 2 }.CopyTo(ip[12..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20]));
        Span<byte> tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 777);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        for (int i = 0; i < payload; i++)
        {
            tcp[20 + i] = (byte)(sequence + i);
        }
        return frame;
    }

    [Test]
    public void Add_ContiguousSegmentsThenShortOne_OneGsoFrameWithPseudoHeaderChecksum()
    {
        var device = new Device();
        var coalescer = new TcpCoalescer();

        coalescer.Add(Segment(1000, 100), device, device);
        coalescer.Add(Segment(1100, 100), device, device);
        coalescer.Add(Segment(1200, 50, flags: 0x18), device, device);
        coalescer.Flush(device, device);

        Assert.That(device.Frames, Is.Empty);
        Assert.That(device.GsoFrames, Has.Count.EqualTo(1));
        (byte[] frame, int segmentSize) = device.GsoFrames[0];
        Assert.That(segmentSize, Is.EqualTo(100));
        Assert.That(frame.Length, Is.EqualTo(14 + 40 + 250));
        Span<byte> ip = frame.AsSpan(14);
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ip[2..]), Is.EqualTo(290), "IP total length");
        Assert.That(InternetChecksum.Compute(ip[..20]), Is.Zero, "IP header checksum");
        Assert.That(ip[33] & 0x08, Is.EqualTo(0x08), "PSH of the last segment");
        for (int i = 0; i < 250; i++)
        {
            Assert.That(ip[40 + i], Is.EqualTo((byte)(1000 + i)), $"payload byte {i}");
        }
        // NEEDS_CSUM: completing the partial checksum gives a valid TCP checksum.
        uint pseudo = InternetChecksum.Add(0, ip.Slice(12, 8)) + 6 + 270;
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ip[36..]), Is.EqualTo((ushort)~InternetChecksum.Finish(pseudo)));
        Assert.That(coalescer.TakeCoalesced(), Is.EqualTo(1));
    }

    [Test]
    public void Add_GapOtherFlowOrSyn_FlushesAndWritesSeparately()
    {
        var device = new Device();
        var coalescer = new TcpCoalescer();

        coalescer.Add(Segment(1000, 100), device, device);
        coalescer.Add(Segment(1300, 100), device, device);                       // a gap: not contiguous
        coalescer.Add(Segment(1400, 100, sourcePort: 40001), device, device);    // another flow
        coalescer.Add(Segment(1500, 0, flags: 0x12), device, device);            // SYN-ACK, no payload
        coalescer.Flush(device, device);

        Assert.That(device.GsoFrames, Is.Empty);
        Assert.That(device.Frames, Has.Count.EqualTo(4), "each as it came");
        Assert.That(device.Frames[0], Is.EqualTo(Segment(1000, 100)), "a single segment is written unchanged");
    }

    [Test]
    public void Flush_Nothing_WritesNothing()
    {
        var device = new Device();
        new TcpCoalescer().Flush(device, device);
        Assert.That(device.Frames.Count + device.GsoFrames.Count, Is.Zero);
    }
}
