using System.Buffers;
using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;
using Brunet.Tests.Security;

namespace Brunet.Tests.Messaging;

public class RpcManagerTests
{
    private static readonly Address s_self = Address.FromHash("self"u8);
    private static readonly Address s_peer = Address.FromHash("peer"u8);
    private static readonly Address s_other = Address.FromHash("other"u8);

    private static readonly RpcOptions s_options = new()
    {
        MinTimeout = TimeSpan.FromSeconds(1),
        MaxTimeout = TimeSpan.FromSeconds(10),
        MaxResends = 3,
        MaxPending = 4,
    };

    // NUnit shares one fixture instance between tests: fresh state per test comes from SetUp.
    private ManualTimeProvider _time = null!;
    private FakeSender _sender = null!;
    private RpcManager _rpc = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _sender = new FakeSender();
        _rpc = new RpcManager(_sender, _time, s_options);
    }

    private sealed class FakeSender : IRpcSender
    {
        public List<(RpcTarget Target, byte[] Payload)> Sent { get; } = [];

        public bool Accept { get; set; } = true;

        public bool Send(in RpcTarget target, ReadOnlySpan<byte> payload)
        {
            Sent.Add((target, payload.ToArray()));
            return Accept;
        }
    }

    /// <summary>Parses what the sender saw (payload-type byte first) and returns kind, id, method, error code and body.</summary>
    private static (RpcKind Kind, uint Id, string Method, RpcError Error, byte[] Body) Parse(byte[] payload)
    {
        Assert.That(payload[0], Is.EqualTo((byte)PayloadType.Rpc));
        RpcMessage message = RpcMessage.Read(payload.AsSpan(1));
        return (message.Kind, message.Id, message.Method, message.ErrorCode, message.Body.ToArray());
    }

    private static byte[] ReplyPayload(uint id, byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        RpcMessage.WriteReply(output, id, body);
        return output.WrittenSpan[1..].ToArray();
    }

    private static byte[] RequestPayload(RpcKind kind, uint id, string method, byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        RpcMessage.WriteRequest(output, kind, id, method, body);
        return output.WrittenSpan[1..].ToArray();
    }

    private List<RpcResult> Call(RpcTarget target, string method = "m")
    {
        var results = new List<RpcResult>();
        _rpc.Call(target, method, [1, 2], results.Add);
        return results;
    }

    private uint LastId() => Parse(_sender.Sent[^1].Payload).Id;

    [Test]
    public void Call_Reply_CompletesOnce()
    {
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        (RpcKind kind, uint id, string method, _, byte[] body) = Parse(_sender.Sent.Single().Payload);
        Assert.That((kind, method, body), Is.EqualTo((RpcKind.Request, "m", new byte[] { 1, 2 })));
        _time.Advance(TimeSpan.FromMilliseconds(30));
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, ReplyPayload(id, [7]));
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, ReplyPayload(id, [8]));
        Assert.That(results, Has.Count.EqualTo(1));
        Assert.That(results[0].IsOk, Is.True);
        Assert.That(results[0].Body, Is.EqualTo(new byte[] { 7 }));
        Assert.That(results[0].From, Is.EqualTo(s_peer));
        Assert.That(results[0].Elapsed, Is.EqualTo(TimeSpan.FromMilliseconds(30)));
        Assert.That(_rpc.PendingCount, Is.Zero);
    }

    [Test]
    public void Call_ErrorReply_CompletesWithItsCode()
    {
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        var output = new ArrayBufferWriter<byte>();
        RpcMessage.WriteError(output, LastId(), RpcError.Refused, "go away");
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, output.WrittenSpan[1..]);
        Assert.That(results.Single().Error, Is.EqualTo(RpcError.Refused));
        Assert.That(results.Single().Message, Is.EqualTo("go away"));
    }

    [Test]
    public void Call_ExactReplyFromWrongSender_IsIgnored()
    {
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        uint id = LastId();
        _rpc.OnMessage(RpcTarget.Routed(s_other), s_other, ReplyPayload(id, [7]));
        Assert.That(results, Is.Empty);
        Assert.That(_rpc.PendingCount, Is.EqualTo(1));
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, ReplyPayload(id, [7]));
        Assert.That(results, Has.Count.EqualTo(1));
    }

    [Test]
    public void Call_DirectReplyFromOtherEdgeAndNode_IsIgnored()
    {
        object edge = new();
        object otherEdge = new();
        List<RpcResult> results = Call(RpcTarget.Direct(edge, s_peer));
        uint id = LastId();
        _rpc.OnMessage(RpcTarget.Direct(otherEdge, s_other), s_other, ReplyPayload(id, []));
        Assert.That(results, Is.Empty);
        _rpc.OnMessage(RpcTarget.Direct(edge, s_peer), s_peer, ReplyPayload(id, []));
        Assert.That(results.Single().IsOk, Is.True);
    }

    [Test]
    public void Call_UnknownId_IsIgnored()
    {
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, ReplyPayload(LastId() ^ 0x5555, []));
        Assert.That(results, Is.Empty);
    }

    [TestCase(RoutingMode.Closest)]
    [TestCase(RoutingMode.Annealing)]
    public void Call_KeyedModeReplyFromAnyNode_IsAccepted(RoutingMode mode)
    {
        List<RpcResult> results = Call(RpcTarget.Routed(Address.FromHash("key"u8), mode));
        _rpc.OnMessage(RpcTarget.Routed(s_other), s_other, ReplyPayload(LastId(), [1]));
        Assert.That(results.Single().IsOk, Is.True);
        Assert.That(results.Single().From, Is.EqualTo(s_other));
    }

    [Test]
    public void Tick_NoReply_ResendsWithBackOffThenTimesOut()
    {
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        byte[] request = _sender.Sent[0].Payload;
        var resendTimes = new List<double>();
        double now = 0;
        for (int step = 0; step < 200 && results.Count == 0; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            now += 0.1;
            int before = _sender.Sent.Count;
            _rpc.Tick();
            if (_sender.Sent.Count > before)
            {
                resendTimes.Add(Math.Round(now, 1));
                Assert.That(_sender.Sent[^1].Payload, Is.EqualTo(request), "a resend is the same request, same id");
            }
        }
        // Timeout 1 s, then waits of 2, 4 and 8 s (doubling, capped at 8 x timeout).
        Assert.That(resendTimes, Is.EqualTo(new[] { 1.0, 3.0, 7.0 }));
        Assert.That(_sender.Sent, Has.Count.EqualTo(1 + s_options.MaxResends));
        Assert.That(results.Single().Error, Is.EqualTo(RpcError.Timeout));
        Assert.That(results.Single().Elapsed, Is.EqualTo(TimeSpan.FromSeconds(15)).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(_rpc.PendingCount, Is.Zero);
    }

    [Test]
    public void Tick_NoReplyWithoutBackOff_ResendsAtTheSameWaitThenTimesOut()
    {
        // Stabilization calls probe a neighbour's liveness: each resend waits the same timeout, no doubling.
        var results = new List<RpcResult>();
        _rpc.Call(RpcTarget.Routed(s_peer), "m", [], results.Add, maxResends: 2, backOff: false);
        var resendTimes = new List<double>();
        for (int step = 1; step <= 100 && results.Count == 0; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            int before = _sender.Sent.Count;
            _rpc.Tick();
            if (_sender.Sent.Count > before)
            {
                resendTimes.Add(Math.Round(step * 0.1, 1));
            }
        }
        Assert.That(resendTimes, Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(results.Single().Error, Is.EqualTo(RpcError.Timeout));
        Assert.That(results.Single().Elapsed, Is.EqualTo(TimeSpan.FromSeconds(3)).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public void Tick_ReplyAfterResend_CompletesWithoutRttSample()
    {
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        _time.Advance(TimeSpan.FromSeconds(1));
        _rpc.Tick();
        Assert.That(_sender.Sent, Has.Count.EqualTo(2));
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, ReplyPayload(LastId(), []));
        Assert.That(results.Single().IsOk, Is.True);
        Assert.That(_rpc.Rtt.Mean, Is.EqualTo(TimeSpan.Zero), "Karn: a retransmitted call gives no RTT sample");
    }

    [Test]
    public void Call_MaxResendsOverride_IsHonoured()
    {
        var results = new List<RpcResult>();
        _rpc.Call(RpcTarget.Routed(s_peer), "m", [], results.Add, maxResends: 0);
        _time.Advance(TimeSpan.FromSeconds(1));
        _rpc.Tick();
        Assert.That(_sender.Sent, Has.Count.EqualTo(1));
        Assert.That(results.Single().Error, Is.EqualTo(RpcError.Timeout));
    }

    [Test]
    public void Call_DirectSendFails_IsUnreachableAtOnce()
    {
        _sender.Accept = false;
        List<RpcResult> results = Call(RpcTarget.Direct(new object(), s_peer));
        Assert.That(results.Single().Error, Is.EqualTo(RpcError.Unreachable));
        Assert.That(_rpc.PendingCount, Is.Zero);
    }

    [Test]
    public void Call_RoutedSendFails_StaysPendingForResend()
    {
        _sender.Accept = false;
        List<RpcResult> results = Call(RpcTarget.Routed(s_peer));
        Assert.That(results, Is.Empty);
        Assert.That(_rpc.PendingCount, Is.EqualTo(1));
    }

    [Test]
    public void Call_PendingTableFull_IsUnreachable()
    {
        var all = new List<List<RpcResult>>();
        for (int i = 0; i < s_options.MaxPending; i++)
        {
            all.Add(Call(RpcTarget.Routed(s_peer)));
        }
        List<RpcResult> extra = Call(RpcTarget.Routed(s_peer));
        Assert.That(extra.Single().Error, Is.EqualTo(RpcError.Unreachable));
        Assert.That(_sender.Sent, Has.Count.EqualTo(s_options.MaxPending), "the refused call is not sent");
        Assert.That(_rpc.PendingCount, Is.EqualTo(s_options.MaxPending));
        Assert.That(all.All(r => r.Count == 0), Is.True);
        Assert.That(_sender.Sent.Select(s => Parse(s.Payload).Id).Distinct().Count(), Is.EqualTo(s_options.MaxPending), "ids are unique");
    }

    [Test]
    public void FailAll_Pending_CompletesEachAsUnreachable()
    {
        List<RpcResult> first = Call(RpcTarget.Routed(s_peer));
        List<RpcResult> second = Call(RpcTarget.Routed(s_other));
        _rpc.FailAll("stopping");
        Assert.That(first.Single().Error, Is.EqualTo(RpcError.Unreachable));
        Assert.That(first.Single().Message, Is.EqualTo("stopping"));
        Assert.That(second.Single().From, Is.EqualTo(s_other));
        Assert.That(_rpc.PendingCount, Is.Zero);
    }

    // --- Serving ---

    [Test]
    public void OnMessage_Request_RunsHandlerAndReplies()
    {
        _rpc.Register("echo", (call, body) =>
        {
            Assert.That(call.From, Is.EqualTo(s_peer));
            call.Reply(body);
        });
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, RequestPayload(RpcKind.Request, 9, "echo", [4, 5]));
        (RpcKind kind, uint id, _, _, byte[] body) = Parse(_sender.Sent.Single().Payload);
        Assert.That((kind, id, body), Is.EqualTo((RpcKind.Reply, 9u, new byte[] { 4, 5 })));
        Assert.That(_sender.Sent.Single().Target, Is.EqualTo(RpcTarget.Routed(s_peer)));
        Assert.That(_rpc.RequestsServed, Is.EqualTo(1));
    }

    [Test]
    public void OnMessage_RetransmittedRequest_AnsweredFromCacheWithoutRerun()
    {
        int runs = 0;
        _rpc.Register("count", (call, _) =>
        {
            runs++;
            call.Reply([(byte)runs]);
        });
        byte[] request = RequestPayload(RpcKind.Request, 9, "count", []);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        Assert.That(runs, Is.EqualTo(1));
        Assert.That(_sender.Sent, Has.Count.EqualTo(2));
        Assert.That(_sender.Sent[1].Payload, Is.EqualTo(_sender.Sent[0].Payload));
        // The same id from another node is another request.
        _rpc.OnMessage(RpcTarget.Routed(s_other), s_other, request);
        Assert.That(runs, Is.EqualTo(2));
    }

    [Test]
    public void OnMessage_RetransmittedIdempotentRequest_RunsAgainAndIsNotCached()
    {
        int runs = 0;
        _rpc.Register("lookup", (call, _) =>
        {
            runs++;
            call.Reply([(byte)runs]);
        }, idempotent: true);
        byte[] request = RequestPayload(RpcKind.Request, 9, "lookup", []);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);

        Assert.That(runs, Is.EqualTo(2), "a retransmit of an idempotent method runs again");
        Assert.That(_sender.Sent, Has.Count.EqualTo(2));
        Assert.That(_sender.Sent[1].Payload, Is.Not.EqualTo(_sender.Sent[0].Payload), "each run answers for itself");
    }

    [Test]
    public void OnMessage_RetransmitWhileHandlerWorking_IsDroppedThenAnswered()
    {
        RpcCall? held = null;
        int runs = 0;
        _rpc.Register("slow", (call, _) =>
        {
            runs++;
            held = call;
        });
        byte[] request = RequestPayload(RpcKind.Request, 3, "slow", []);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        Assert.That(runs, Is.EqualTo(1));
        Assert.That(_sender.Sent, Is.Empty);
        held!.Reply([1]);
        held.Reply([2]);   // a second answer is ignored
        Assert.That(_sender.Sent, Has.Count.EqualTo(1));
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        Assert.That(_sender.Sent, Has.Count.EqualTo(2));
        Assert.That(Parse(_sender.Sent[1].Payload).Body, Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public void Tick_AfterReplyCacheTime_RequestRunsAgain()
    {
        int runs = 0;
        _rpc.Register("count", (call, _) =>
        {
            runs++;
            call.Reply([]);
        });
        byte[] request = RequestPayload(RpcKind.Request, 9, "count", []);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        _time.Advance(new RpcOptions().ReplyCacheTime + TimeSpan.FromSeconds(1));
        _rpc.Tick();
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, request);
        Assert.That(runs, Is.EqualTo(2));
    }

    [Test]
    public void OnMessage_UnknownMethod_RepliesNoSuchMethod()
    {
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, RequestPayload(RpcKind.Request, 4, "nope", []));
        (RpcKind kind, uint id, _, RpcError error, _) = Parse(_sender.Sent.Single().Payload);
        Assert.That((kind, id, error), Is.EqualTo((RpcKind.Error, 4u, RpcError.NoSuchMethod)));
    }

    [Test]
    public void OnMessage_UnknownMethodNotify_SendsNothing()
    {
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, RequestPayload(RpcKind.Notify, 4, "nope", []));
        Assert.That(_sender.Sent, Is.Empty);
    }

    [Test]
    public void OnMessage_Notify_RunsHandlerEveryTime()
    {
        int runs = 0;
        _rpc.Register("n", (_, _) => runs++);
        byte[] notify = RequestPayload(RpcKind.Notify, 4, "n", []);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, notify);
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, notify);
        Assert.That(runs, Is.EqualTo(2));
        Assert.That(_sender.Sent, Is.Empty);
    }

    [TestCase("")]
    [TestCase("FF")]
    [TestCase("0100000001")]
    [TestCase("030000000102")]
    public void OnMessage_Malformed_IsCountedNotThrown(string hex)
    {
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, Convert.FromHexString(hex));
        Assert.That(_rpc.Malformed, Is.EqualTo(1));
        Assert.That(_sender.Sent, Is.Empty);
    }

    [Test]
    public void OnMessage_HandlerThrowsWireFormat_RepliesBadRequest()
    {
        _rpc.Register("strict", (_, body) =>
        {
            var reader = new WireReader(body);
            reader.ReadUInt32();
        });
        _rpc.OnMessage(RpcTarget.Routed(s_peer), s_peer, RequestPayload(RpcKind.Request, 6, "strict", [1]));
        (RpcKind kind, uint id, _, RpcError error, _) = Parse(_sender.Sent.Single().Payload);
        Assert.That((kind, id, error), Is.EqualTo((RpcKind.Error, 6u, RpcError.BadRequest)));
        Assert.That(_rpc.Malformed, Is.EqualTo(1));
    }

    [Test]
    public void Notify_Sends_OneWayWithoutPending()
    {
        Assert.That(_rpc.Notify(RpcTarget.Routed(s_peer), "n", [3]), Is.True);
        Assert.That(Parse(_sender.Sent.Single().Payload).Kind, Is.EqualTo(RpcKind.Notify));
        Assert.That(_rpc.PendingCount, Is.Zero);
    }

    [Test]
    public void RttEstimator_Samples_RaiseTimeoutAboveMinimum()
    {
        var rtt = new RttEstimator(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.That(rtt.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        rtt.AddSample(TimeSpan.FromMilliseconds(200));
        Assert.That(rtt.Mean, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
        Assert.That(rtt.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(200 + (6 * 100))));
        for (int i = 0; i < 200; i++)
        {
            rtt.AddSample(TimeSpan.FromMilliseconds(10));
        }
        Assert.That(rtt.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(100)), "clamped to the minimum");
        rtt.AddSample(TimeSpan.FromSeconds(100));
        Assert.That(rtt.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)), "clamped to the maximum");
    }
}
