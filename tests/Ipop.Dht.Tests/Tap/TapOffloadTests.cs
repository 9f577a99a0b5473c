using System.Buffers.Binary;
using Ipop.Dht.PacketPath;
using Ipop.Dht.Tap;

namespace Ipop.Dht.Tests.Tap;

public class TapOffloadTests
{
    // Ethernet + IPv4 (20) + TCP with 12 bytes of options (32): a 2,500-byte payload, MSS 1,000, FIN|PSH|CWR set.
    private static byte[] TsoFrame(int payload, out int headerLength)
    {
        headerLength = 14 + 20 + 32;
        byte[] frame = new byte[headerLength + payload];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        Span<byte> ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 32 + payload));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        ip[8] = 64;
        ip[9] = 6;
        new byte[] { 100, 64, 0, 1, 100, 64, 0, 2 }.CopyTo(ip[12..]);
        Span<byte> tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 0xffff_fc00);    // wraps inside the frame
        tcp[12] = 8 << 4;
        tcp[13] = 0x80 | 0x10 | 0x08 | 0x01;                              // CWR ACK PSH FIN
        for (int i = 0; i < payload; i++)
        {
            frame[headerLength + i] = (byte)(i * 7);
        }
        return frame;
    }

    [Test]
    public void WriteSegment_TsoFrame_MssSegmentsWithValidChecksumsSequenceAndFlags()
    {
        byte[] frame = TsoFrame(2500, out int headers);
        Assert.That(TapOffload.TryPlanTcp4(frame, 1000, out TcpSegmentPlan plan), Is.True);
        Assert.That(plan.Count, Is.EqualTo(3));

        byte[] rebuilt = new byte[2500];
        byte[] segment = new byte[2000];
        for (int i = 0; i < plan.Count; i++)
        {
            int length = TapOffload.WriteSegment(frame, plan, i, segment);
            int chunk = i < 2 ? 1000 : 500;
            Assert.That(length, Is.EqualTo(headers + chunk), $"segment {i} length");
            Span<byte> ip = segment.AsSpan(14, length - 14);
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ip[2..]), Is.EqualTo(20 + 32 + chunk), $"segment {i} IP total length");
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ip[4..]), Is.EqualTo(0x1234 + i), $"segment {i} IP id");
            Assert.That(InternetChecksum.Compute(ip[..20]), Is.Zero, $"segment {i} IP header checksum");
            uint pseudo = InternetChecksum.Add(0, ip.Slice(12, 8)) + 6 + (uint)(32 + chunk);
            Assert.That(InternetChecksum.Finish(InternetChecksum.Add(pseudo, ip[20..])), Is.Zero, $"segment {i} TCP checksum");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(ip[24..]), Is.EqualTo(unchecked(0xffff_fc00 + (uint)(i * 1000))), $"segment {i} sequence");
            byte flags = ip[20 + 13];
            Assert.That(flags & 0x80, Is.EqualTo(i == 0 ? 0x80 : 0), $"segment {i} CWR only first");
            Assert.That(flags & 0x09, Is.EqualTo(i == 2 ? 0x09 : 0), $"segment {i} FIN and PSH only last");
            Assert.That(flags & 0x10, Is.EqualTo(0x10), $"segment {i} ACK everywhere");
            Assert.That(ip.Slice(20 + 20, 12).ToArray(), Is.EqualTo(frame.AsSpan(14 + 20 + 20, 12).ToArray()), $"segment {i} options kept");
            ip[52..].CopyTo(rebuilt.AsSpan(i * 1000));
        }
        Assert.That(rebuilt, Is.EqualTo(frame.AsSpan(headers).ToArray()), "payload reassembles");
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void TryPlanTcp4_NoSegmentSize_False(int segmentSize) =>
        Assert.That(TapOffload.TryPlanTcp4(TsoFrame(100, out _), segmentSize, out _), Is.False);

    [Test]
    public void TryPlanTcp4_TotalLengthBeyondFrame_False()
    {
        byte[] frame = TsoFrame(100, out _);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 60_000);
        Assert.That(TapOffload.TryPlanTcp4(frame, 1000, out _), Is.False);
    }

    [Test]
    public void TryCompleteChecksum_PartialTcpChecksum_BecomesValid()
    {
        byte[] frame = TsoFrame(333, out _);
        Span<byte> ip = frame.AsSpan(14);
        // As the kernel leaves it with NEEDS_CSUM: the pseudo-header sum, not complemented, in the checksum field.
        uint pseudo = InternetChecksum.Add(0, ip.Slice(12, 8)) + 6 + (uint)(32 + 333);
        ushort folded = (ushort)~InternetChecksum.Finish(pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(ip[(20 + 16)..], folded);

        Assert.That(TapOffload.TryCompleteChecksum(frame, 14 + 20, 16), Is.True);
        Assert.That(InternetChecksum.Finish(InternetChecksum.Add(pseudo, ip[20..])), Is.Zero);
        Assert.That(TapOffload.TryCompleteChecksum(frame, frame.Length - 1, 16), Is.False, "offset beyond the frame");
    }
}
