using System.Buffers;
using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;

namespace Brunet.Tests.Messaging;

public class CodecTests
{
    private static readonly Address s_source = Address.Parse("brunet:node:AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU");
    private static readonly Address s_destination = Address.MaxValue.AsNodeAddress();

    // --- RoutedHeader ---

    [Test]
    public void RoutedHeader_WriteTo_IsBigEndianInFieldOrder()
    {
        var header = new RoutedHeader(0x0102, 0x0080, RoutingMode.Closest, s_source, s_destination);
        byte[] encoded = new byte[RoutedHeader.Size];
        header.WriteTo(encoded);
        Assert.That(Convert.ToHexString(encoded), Is.EqualTo(
            "0102" + "0080" + "02" + "0102030405060708090A0B0C0D0E0F1011121314" + new string('F', 38) + "FE"));
    }

    [TestCase(RoutingMode.Exact)]
    [TestCase(RoutingMode.Closest)]
    [TestCase(RoutingMode.Annealing)]
    public void RoutedHeader_TryRead_RoundTrips(RoutingMode mode)
    {
        var header = new RoutedHeader(3, RoutedHeader.DefaultTtl, mode, s_source, s_destination);
        byte[] encoded = new byte[RoutedHeader.Size];
        header.WriteTo(encoded);
        Assert.That(RoutedHeader.TryRead(encoded, out RoutedHeader read), Is.True);
        Assert.That(read, Is.EqualTo(header));
    }

    [Test]
    public void RoutedHeader_TryRead_TruncatedAtEveryOffset_ReturnsFalse()
    {
        byte[] encoded = new byte[RoutedHeader.Size];
        new RoutedHeader(1, 2, RoutingMode.Exact, s_source, s_destination).WriteTo(encoded);
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.That(RoutedHeader.TryRead(encoded.AsSpan(0, length), out _), Is.False, $"length {length}");
        }
    }

    [Test]
    public void RoutedHeader_TryRead_TrailingPayload_IsIgnored()
    {
        // The payload follows the header in the same frame, so extra bytes are the payload, not an error.
        var header = new RoutedHeader(1, 2, RoutingMode.Annealing, s_source, s_destination);
        byte[] encoded = new byte[RoutedHeader.Size + 17];
        header.WriteTo(encoded);
        new Random(1).NextBytes(encoded.AsSpan(RoutedHeader.Size));
        Assert.That(RoutedHeader.TryRead(encoded, out RoutedHeader read), Is.True);
        Assert.That(read, Is.EqualTo(header));
    }

    [TestCase(0)]
    [TestCase(4)]
    [TestCase(255)]
    public void RoutedHeader_TryRead_UnknownMode_ReturnsFalse(int mode)
    {
        byte[] encoded = new byte[RoutedHeader.Size];
        new RoutedHeader(1, 2, RoutingMode.Exact, s_source, s_destination).WriteTo(encoded);
        encoded[4] = (byte)mode;
        Assert.That(RoutedHeader.TryRead(encoded, out _), Is.False);
    }

    [Test]
    public void RoutedHeader_TryRead_RandomInput_NeverThrows()
    {
        var random = new Random(11);
        for (int i = 0; i < 5000; i++)
        {
            byte[] input = new byte[random.Next(0, 100)];
            random.NextBytes(input);
            bool ok = RoutedHeader.TryRead(input, out RoutedHeader header);
            if (ok)
            {
                Assert.That(input.Length, Is.GreaterThanOrEqualTo(RoutedHeader.Size));
                Assert.That(header.Mode, Is.InRange(RoutingMode.Exact, RoutingMode.Annealing));
            }
        }
    }

    [Test]
    public void IncrementHops_Encoded_AddsOneAndKeepsTheRest()
    {
        byte[] encoded = new byte[RoutedHeader.Size];
        new RoutedHeader(0x00FF, 9, RoutingMode.Exact, s_source, s_destination).WriteTo(encoded);
        RoutedHeader.IncrementHops(encoded);
        Assert.That(RoutedHeader.TryRead(encoded, out RoutedHeader read), Is.True);
        Assert.That(read, Is.EqualTo(new RoutedHeader(0x0100, 9, RoutingMode.Exact, s_source, s_destination)));
    }

    // --- RpcMessage ---

    private static byte[] Request(RpcKind kind, uint id, string method, byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        RpcMessage.WriteRequest(output, kind, id, method, body);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Reply(uint id, byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        RpcMessage.WriteReply(output, id, body);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Error(uint id, RpcError code, string message)
    {
        var output = new ArrayBufferWriter<byte>();
        RpcMessage.WriteError(output, id, code, message);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The payload RpcMessage.Read takes: after the payload-type byte.</summary>
    private static byte[] AfterType(byte[] encoded)
    {
        Assert.That(encoded[0], Is.EqualTo((byte)PayloadType.Rpc));
        return encoded[1..];
    }

    private static void ParseRpc(byte[] payload) => _ = RpcMessage.Read(payload).Kind;

    [Test]
    public void WriteRequest_Ping_IsThePinnedWireForm()
    {
        byte[] encoded = Request(RpcKind.Request, 0x01020304, "sys:ping", [0xAA]);
        Assert.That(Convert.ToHexString(encoded), Is.EqualTo("01" + "01" + "01020304" + "08" + "7379733A70696E67" + "AA"));
    }

    [TestCase(RpcKind.Request)]
    [TestCase(RpcKind.Notify)]
    public void Read_Request_RoundTrips(RpcKind kind)
    {
        byte[] body = [1, 2, 3, 0, 255];
        RpcMessage message = RpcMessage.Read(AfterType(Request(kind, 42, "sys:link", body)));
        Assert.That(message.Kind, Is.EqualTo(kind));
        Assert.That(message.Id, Is.EqualTo(42u));
        Assert.That(message.Method, Is.EqualTo("sys:link"));
        Assert.That(message.Body.ToArray(), Is.EqualTo(body));
    }

    [Test]
    public void Read_Reply_RoundTrips()
    {
        RpcMessage message = RpcMessage.Read(AfterType(Reply(uint.MaxValue, [9, 8, 7])));
        Assert.That(message.Kind, Is.EqualTo(RpcKind.Reply));
        Assert.That(message.Id, Is.EqualTo(uint.MaxValue));
        Assert.That(message.Body.ToArray(), Is.EqualTo(new byte[] { 9, 8, 7 }));
    }

    [Test]
    public void Read_Error_RoundTrips()
    {
        RpcMessage message = RpcMessage.Read(AfterType(Error(7, RpcError.BadRequest, "bad body é")));
        Assert.That(message.Kind, Is.EqualTo(RpcKind.Error));
        Assert.That(message.Id, Is.EqualTo(7u));
        Assert.That(message.ErrorCode, Is.EqualTo(RpcError.BadRequest));
        Assert.That(message.ErrorMessage, Is.EqualTo("bad body é"));
    }

    [Test]
    public void WriteError_LongMessage_IsCutToFitTheReadersLimit()
    {
        byte[] encoded = Error(1, RpcError.Internal, new string('€', 1000));   // 3 UTF-8 bytes each
        RpcMessage message = RpcMessage.Read(AfterType(encoded));
        Assert.That(message.ErrorMessage, Is.EqualTo(new string('€', RpcMessage.MaxErrorLength / 4)));
    }

    [TestCase(RpcKind.Request)]
    [TestCase(RpcKind.Notify)]
    public void Read_RequestTruncated_RejectsHeaderAndShortensBody(RpcKind kind)
    {
        byte[] body = [1, 2, 3, 4];
        byte[] payload = AfterType(Request(kind, 5, "sys:ping", body));
        int headerLength = 1 + 4 + 1 + "sys:ping".Length;
        CodecAssert.EveryTruncationRejected(ParseRpc, payload[..headerLength], "request header");
        for (int length = headerLength; length <= payload.Length; length++)
        {
            // The body is "the rest": a cut inside it is a shorter body, which the method's own parser judges.
            RpcMessage message = RpcMessage.Read(payload.AsSpan(0, length));
            Assert.That(message.Body.ToArray(), Is.EqualTo(body[..(length - headerLength)]), $"length {length}");
        }
    }

    [Test]
    public void Read_ReplyTruncatedBeforeBody_Throws() =>
        CodecAssert.EveryTruncationRejected(ParseRpc, AfterType(Reply(5, [])), "reply");

    [Test]
    public void Read_ErrorTruncatedAtEveryOffset_Throws() =>
        CodecAssert.EveryTruncationRejected(ParseRpc, AfterType(Error(5, RpcError.Refused, "no")), "error");

    [Test]
    public void Read_RequestWithJunkAppended_JunkIsBody()
    {
        byte[] payload = [.. AfterType(Request(RpcKind.Request, 5, "m", [1])), 0xDE, 0xAD];
        Assert.That(RpcMessage.Read(payload).Body.ToArray(), Is.EqualTo(new byte[] { 1, 0xDE, 0xAD }));
    }

    [Test]
    public void Read_ErrorWithJunkAppended_Throws()
    {
        byte[] payload = [.. AfterType(Error(5, RpcError.Refused, "no")), 0];
        Assert.Throws<WireFormatException>(() => RpcMessage.Read(payload));
    }

    [TestCase("00" + "00000001", Description = "kind 0")]
    [TestCase("05" + "00000001", Description = "kind 5")]
    [TestCase("01" + "00000001" + "00", Description = "empty method")]
    [TestCase("01" + "00000001" + "41" + "", Description = "method longer than 64")]
    [TestCase("03" + "00000001" + "02" + "0201" + "41", Description = "error text longer than 512")]
    [TestCase("03" + "00000001" + "02" + "0005" + "41", Description = "error text truncated")]
    public void Read_Malformed_ThrowsWireFormatException(string hex)
    {
        byte[] payload = Convert.FromHexString(hex);
        if (payload.Length == 6 && payload[5] == 0x41)
        {
            payload = [.. payload, .. new byte[0x41]];   // a 65-byte method name
        }
        Assert.Throws<WireFormatException>(() => RpcMessage.Read(payload));
    }

    [Test]
    public void Read_FuzzedInput_ThrowsOnlyWireFormatException()
    {
        byte[][] samples =
        [
            AfterType(Request(RpcKind.Request, 1, "sys:link", [1, 2, 3])),
            AfterType(Request(RpcKind.Notify, 2, "sys:close", [])),
            AfterType(Reply(3, [4, 5])),
            AfterType(Error(4, RpcError.NoSuchMethod, "no method sys:x")),
        ];
        int accepted = CodecAssert.Fuzz(ParseRpc, samples, seed: 12, "RpcMessage");
        Assert.That(accepted, Is.GreaterThan(0), "the fuzzer should produce some valid messages");
    }
}
