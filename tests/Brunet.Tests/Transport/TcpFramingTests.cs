using System.Buffers;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public class TcpFramingTests
{
    [TestCase("0001ff", "ff", Description = "smallest frame")]
    [TestCase("000401020304", "01020304", Description = "four bytes")]
    [TestCase("0003616263", "616263", Description = "\"abc\"")]
    public void ReadFrame_AnySegmentation_ReadsWholeFrame(string hex, string payloadHex)
    {
        foreach ((string name, ReadOnlySequence<byte> input) in Segmentations.All(Convert.FromHexString(hex)))
        {
            ReadOnlySequence<byte> buffer = input;
            Assert.That(TcpFraming.ReadFrame(ref buffer, out ReadOnlySequence<byte> payload), Is.EqualTo(OperationStatus.Done), name);
            Assert.That(Convert.ToHexString(payload.ToArray()), Is.EqualTo(payloadHex.ToUpperInvariant()), name);
            Assert.That(buffer.Length, Is.Zero, $"{name}: bytes left unread");
        }
    }

    [Test]
    public void ReadFrame_TwoFramesAnySegmentation_ReadsBothInOrder()
    {
        byte[] data = Convert.FromHexString("0001aa0002bbcc");
        foreach ((string name, ReadOnlySequence<byte> input) in Segmentations.All(data))
        {
            ReadOnlySequence<byte> buffer = input;
            Assert.That(TcpFraming.ReadFrame(ref buffer, out ReadOnlySequence<byte> first), Is.EqualTo(OperationStatus.Done), name);
            Assert.That(TcpFraming.ReadFrame(ref buffer, out ReadOnlySequence<byte> second), Is.EqualTo(OperationStatus.Done), name);
            Assert.That(first.ToArray(), Is.EqualTo(new byte[] { 0xaa }), name);
            Assert.That(second.ToArray(), Is.EqualTo(new byte[] { 0xbb, 0xcc }), name);
            Assert.That(TcpFraming.ReadFrame(ref buffer, out _), Is.EqualTo(OperationStatus.NeedMoreData), name);
        }
    }

    [TestCase("", Description = "nothing")]
    [TestCase("00", Description = "half a header")]
    [TestCase("0002aa", Description = "payload one byte short")]
    [TestCase("ffff00", Description = "longest frame, barely begun")]
    public void ReadFrame_Incomplete_NeedsMoreAndConsumesNothing(string hex)
    {
        foreach ((string name, ReadOnlySequence<byte> input) in Segmentations.All(Convert.FromHexString(hex)))
        {
            ReadOnlySequence<byte> buffer = input;
            Assert.That(TcpFraming.ReadFrame(ref buffer, out _), Is.EqualTo(OperationStatus.NeedMoreData), name);
            Assert.That(buffer.Length, Is.EqualTo(input.Length), $"{name}: nothing consumed");
        }
        Assert.That(TcpFraming.ReadFrame(Convert.FromHexString(hex), out _), Is.EqualTo(OperationStatus.NeedMoreData), "span form");
    }

    [TestCase("0000", Description = "zero-length frame")]
    [TestCase("00000001ff", Description = "zero-length frame before a good one")]
    public void ReadFrame_ZeroLength_IsInvalidAtAnySegmentation(string hex)
    {
        foreach ((string name, ReadOnlySequence<byte> input) in Segmentations.All(Convert.FromHexString(hex)))
        {
            ReadOnlySequence<byte> buffer = input;
            Assert.That(TcpFraming.ReadFrame(ref buffer, out _), Is.EqualTo(OperationStatus.InvalidData), name);
        }
        Assert.That(TcpFraming.ReadFrame(Convert.FromHexString(hex), out _), Is.EqualTo(OperationStatus.InvalidData), "span form");
    }

    [Test]
    public void ReadFrame_GoodFrameThenZeroLength_ReadsFrameThenInvalid()
    {
        byte[] data = Convert.FromHexString("0001aa0000");
        foreach ((string name, ReadOnlySequence<byte> input) in Segmentations.All(data))
        {
            ReadOnlySequence<byte> buffer = input;
            Assert.That(TcpFraming.ReadFrame(ref buffer, out _), Is.EqualTo(OperationStatus.Done), name);
            Assert.That(TcpFraming.ReadFrame(ref buffer, out _), Is.EqualTo(OperationStatus.InvalidData), name);
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void ReadFrame_RandomJunk_SpanAndSequenceFormsAgreeAtAnySegmentation(int seed)
    {
        var random = new Random(seed);
        byte[] junk = new byte[40];
        random.NextBytes(junk);
        junk[0] = 0;   // small lengths, so several frames fit in 40 bytes
        junk[1] = (byte)random.Next(1, 8);
        List<string> expected = ParseWithSpan(junk);
        Assert.That(expected, Is.Not.Empty);
        foreach ((string name, ReadOnlySequence<byte> input) in Segmentations.All(junk))
        {
            ReadOnlySequence<byte> buffer = input;
            var actual = new List<string>();
            OperationStatus status;
            while ((status = TcpFraming.ReadFrame(ref buffer, out ReadOnlySequence<byte> payload)) == OperationStatus.Done)
            {
                actual.Add(Convert.ToHexString(payload.ToArray()));
            }
            actual.Add(status.ToString());
            Assert.That(actual, Is.EqualTo(expected), $"seed {seed}, {name}");
        }
    }

    [Test]
    public void WriteFrame_MaxPayload_RoundTrips()
    {
        byte[] payload = new byte[TcpFraming.MaxPayloadSize];
        new Random(5).NextBytes(payload);
        var writer = new ArrayBufferWriter<byte>();

        TcpFraming.WriteFrame(writer, payload);

        Assert.That(writer.WrittenCount, Is.EqualTo(TcpFraming.MaxFrameSize));
        Assert.That(writer.WrittenSpan[..2].ToArray(), Is.EqualTo(new byte[] { 0xff, 0xff }), "big-endian length");
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.That(TcpFraming.ReadFrame(ref buffer, out ReadOnlySequence<byte> read), Is.EqualTo(OperationStatus.Done));
        Assert.That(read.ToArray(), Is.EqualTo(payload));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(65536)]
    public void WriteHeader_LengthOutOfRange_Throws(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TcpFraming.WriteHeader(new byte[2], length));
    }

    private static List<string> ParseWithSpan(ReadOnlySpan<byte> data)
    {
        var frames = new List<string>();
        int offset = 0;
        OperationStatus status;
        while ((status = TcpFraming.ReadFrame(data[offset..], out int length)) == OperationStatus.Done)
        {
            frames.Add(Convert.ToHexString(data.Slice(offset + TcpFraming.HeaderSize, length)));
            offset += TcpFraming.HeaderSize + length;
        }
        frames.Add(status.ToString());
        return frames;
    }
}
