using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Brunet.Addressing;
using Brunet.Routing;

namespace Brunet.Messaging.Rpc;

/// <summary>
/// Request/reply over routed packets or single edges: ids, retransmits with an RTT-based timeout, a bounded
/// pending table, and a cache of recent answers so a retransmitted request is answered without running twice.
/// Owned by the node loop: every method runs there.
/// </summary>
public sealed class RpcManager
{
    private readonly IRpcSender _sender;
    private readonly TimeProvider _time;
    private readonly RpcOptions _options;
    private readonly Dictionary<uint, Pending> _pending = [];
    private readonly Dictionary<string, (RpcHandler Handler, bool Idempotent)> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<(Address From, uint Id), Answer> _answers = [];
    private readonly Queue<(Address From, uint Id)> _answerOrder = new();
    private readonly RttEstimator _rtt;

    public RpcManager(IRpcSender sender, TimeProvider time, RpcOptions? options = null)
    {
        _sender = sender;
        _time = time;
        _options = options ?? new RpcOptions();
        _rtt = new RttEstimator(_options.MinTimeout, _options.MaxTimeout);
    }

    public int PendingCount => _pending.Count;

    public RttEstimator Rtt => _rtt;

    public long RequestsServed { get; private set; }

    public long Malformed { get; private set; }

    /// <param name="idempotent">
    /// True for a method whose rerun does no harm (a ping, a lookup): its answers are not cached, and a retransmitted
    /// request runs again. The answer cache holds the rest for <see cref="RpcOptions.ReplyCacheTime"/>, which for the
    /// few-per-second pings and neighbour lists of a settled node was most of it.
    /// </param>
    public void Register(string method, RpcHandler handler, bool idempotent = false) => _handlers[method] = (handler, idempotent);

    /// <summary>Calls <paramref name="method"/>; <paramref name="callback"/> runs once on the node loop with the outcome.</summary>
    /// <param name="backOff">
    /// True (the default) doubles the wait on each resend. False resends after the same RTT-based wait each time: for
    /// calls that double as liveness probes of a peer that answers every few seconds (stabilization), where the
    /// doubling only delays noticing that it is gone.
    /// </param>
    public void Call(in RpcTarget target, string method, ReadOnlySpan<byte> body, Action<RpcResult> callback, int? maxResends = null, bool backOff = true)
    {
        if (_pending.Count >= _options.MaxPending)
        {
            callback(new RpcResult(RpcError.Unreachable, "too many calls pending", [], target.Address, TimeSpan.Zero));
            return;
        }
        uint id = NewId();
        // Encoded in a reused buffer: only the copy kept for retransmits is allocated.
        ArrayBufferWriter<byte> output = ScratchWriters.Take();
        RpcMessage.WriteRequest(output, RpcKind.Request, id, method, body);
        var pending = new Pending(target, output.WrittenSpan.ToArray(), callback, _time.GetTimestamp(), maxResends ?? _options.MaxResends, backOff)
        {
            Deadline = _time.GetTimestamp() + ToTicks(_rtt.Timeout),
        };
        ScratchWriters.Return(output);
        _pending.Add(id, pending);
        if (!_sender.Send(target, pending.Request) && target.IsDirect)
        {
            // A closed edge will not come back; a routed send may find a route on the next try.
            Complete(id, new RpcResult(RpcError.Unreachable, "edge closed", [], target.Address, TimeSpan.Zero));
        }
    }

    public Task<RpcResult> CallAsync(RpcTarget target, string method, ReadOnlySpan<byte> body, int? maxResends = null)
    {
        var completion = new TaskCompletionSource<RpcResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Call(target, method, body, result => completion.TrySetResult(result), maxResends);
        return completion.Task;
    }

    /// <summary>Sends a one-way message: no reply, no retransmit.</summary>
    public bool Notify(in RpcTarget target, string method, ReadOnlySpan<byte> body)
    {
        ArrayBufferWriter<byte> output = ScratchWriters.Take();
        RpcMessage.WriteRequest(output, RpcKind.Notify, NewId(), method, body);
        bool sent = _sender.Send(target, output.WrittenSpan);
        ScratchWriters.Return(output);
        return sent;
    }

    /// <summary>
    /// Handles an RPC payload (after the payload-type byte) from <paramref name="from"/>, an authenticated address;
    /// <paramref name="replyTo"/> says how to answer. Malformed input is counted and dropped.
    /// </summary>
    public void OnMessage(in RpcTarget replyTo, Address from, ReadOnlySpan<byte> payload)
    {
        RpcMessage message;
        try
        {
            message = RpcMessage.Read(payload);
        }
        catch (WireFormatException)
        {
            Malformed++;
            return;
        }
        switch (message.Kind)
        {
            case RpcKind.Request:
            case RpcKind.Notify:
                Serve(replyTo, from, message);
                break;
            case RpcKind.Reply:
            case RpcKind.Error:
                Answered(replyTo, from, message);
                break;
        }
    }

    /// <summary>Retransmits and times out calls; the node calls it on every tick.</summary>
    public void Tick()
    {
        long now = _time.GetTimestamp();
        List<uint>? expired = null;
        foreach ((uint id, Pending pending) in _pending)
        {
            if (now < pending.Deadline)
            {
                continue;
            }
            if (pending.Resends >= pending.MaxResends)
            {
                (expired ??= []).Add(id);
                continue;
            }
            pending.Resends++;
            // Exponential back-off on each resend, from the RTT-based timeout.
            TimeSpan wait = pending.BackOff ? _rtt.Timeout * Math.Min(1 << pending.Resends, 8) : _rtt.Timeout;
            pending.Deadline = now + ToTicks(wait);
            if (!_sender.Send(pending.Target, pending.Request) && pending.Target.IsDirect)
            {
                (expired ??= []).Add(id);
            }
        }
        if (expired is not null)
        {
            foreach (uint id in expired)
            {
                Pending pending = _pending[id];
                Complete(id, new RpcResult(RpcError.Timeout, "no answer", [], pending.Target.Address, _time.GetElapsedTime(pending.Started)));
            }
        }
        while (_answerOrder.TryPeek(out (Address, uint) key))
        {
            if (_answers.TryGetValue(key, out Answer oldest) && _time.GetElapsedTime(oldest.At) <= _options.ReplyCacheTime)
            {
                break;
            }
            _answers.Remove(_answerOrder.Dequeue());
        }
    }

    /// <summary>
    /// Gives back the spare capacity of the answer cache after a busy spell (a joining node answers hundreds of calls
    /// a minute, a settled one a few): call now and then, on the loop.
    /// </summary>
    public void TrimCaches()
    {
        if (_answers.Capacity > 64 && _answers.Count < _answers.Capacity / 2)
        {
            _answers.TrimExcess();
            _answerOrder.TrimExcess();
        }
    }

    /// <summary>Fails every pending call (the node is stopping).</summary>
    public void FailAll(string reason)
    {
        foreach (uint id in _pending.Keys.ToArray())
        {
            Complete(id, new RpcResult(RpcError.Unreachable, reason, [], _pending[id].Target.Address, TimeSpan.Zero));
        }
    }

    internal void SendAnswer(RpcCall call, ReadOnlySpan<byte> encoded)
    {
        ref Answer answer = ref CollectionsMarshal.GetValueRefOrNullRef(_answers, (call.From, call.Id));
        if (!Unsafe.IsNullRef(ref answer))
        {
            answer.Encoded = encoded.ToArray();
        }
        if (!_sender.Send(call.ReplyTo, encoded) && encoded.Length > MaxSmallAnswer && encoded[1] == (byte)RpcKind.Reply)
        {
            // Too large for one frame: say so rather than let the caller time out.
            var error = new ArrayBufferWriter<byte>(64);
            RpcMessage.WriteError(error, call.Id, RpcError.Internal, $"reply of {encoded.Length} bytes does not fit one frame");
            ref Answer failed = ref CollectionsMarshal.GetValueRefOrNullRef(_answers, (call.From, call.Id));
            if (!Unsafe.IsNullRef(ref failed))
            {
                failed.Encoded = error.WrittenSpan.ToArray();
            }
            _sender.Send(call.ReplyTo, error.WrittenSpan);
        }
    }

    /// <summary>Answers up to this size always fit a frame; a larger one that fails to send is replaced by an error.</summary>
    private const int MaxSmallAnswer = 1024;

    private void Serve(in RpcTarget replyTo, Address from, in RpcMessage message)
    {
        bool known = _handlers.TryGetValue(message.Method, out (RpcHandler Handler, bool Idempotent) entry);
        if (message.Kind == RpcKind.Request && !(known && entry.Idempotent))
        {
            if (_answers.TryGetValue((from, message.Id), out Answer answered))
            {
                // A retransmit: answer again if we have answered, else the first run is still working on it.
                if (answered.Encoded is { } encoded)
                {
                    _sender.Send(replyTo, encoded);
                }
                return;
            }
            Remember(from, message.Id);
        }
        RequestsServed++;
        var call = new RpcCall(this, replyTo, from, message.Id, message.Method);
        if (!known)
        {
            if (message.Kind == RpcKind.Request)
            {
                call.Fail(RpcError.NoSuchMethod, $"no method {message.Method}");
            }
            return;
        }
        try
        {
            entry.Handler(call, message.Body);
        }
        catch (WireFormatException e)
        {
            Malformed++;
            if (message.Kind == RpcKind.Request)
            {
                call.Fail(RpcError.BadRequest, e.Message);
            }
        }
    }

    private void Answered(in RpcTarget source, Address from, in RpcMessage message)
    {
        if (!_pending.TryGetValue(message.Id, out Pending? pending))
        {
            return;
        }
        // Accept an answer only from the node asked: the edge's peer, or the exact destination. A closest-mode
        // call may be answered by whichever node is nearest the key.
        RpcTarget target = pending.Target;
        bool fromRightNode = target.IsDirect
            ? ReferenceEquals(source.Edge, target.Edge) || from == target.Address
            : target.Mode != RoutingMode.Exact || from == target.Address;
        if (!fromRightNode)
        {
            return;
        }
        TimeSpan elapsed = _time.GetElapsedTime(pending.Started);
        if (pending.Resends == 0)
        {
            _rtt.AddSample(elapsed);   // Karn: only unambiguous samples
        }
        RpcResult result = message.Kind == RpcKind.Reply
            ? new RpcResult(RpcError.None, null, message.Body.ToArray(), from, elapsed)
            : new RpcResult(message.ErrorCode == RpcError.None ? RpcError.Internal : message.ErrorCode, message.ErrorMessage, [], from, elapsed);
        Complete(message.Id, result);
    }

    private void Complete(uint id, RpcResult result)
    {
        if (_pending.Remove(id, out Pending? pending))
        {
            pending.Callback(result);
        }
    }

    private void Remember(Address from, uint id)
    {
        if (_answers.Count >= _options.ReplyCacheSize && _answerOrder.TryDequeue(out (Address, uint) oldest))
        {
            _answers.Remove(oldest);
        }
        _answers[(from, id)] = new Answer { At = _time.GetTimestamp() };
        _answerOrder.Enqueue((from, id));
    }

    private uint NewId()
    {
        uint id;
        do
        {
            id = (NextRandom() & int.MaxValue) + 1;
        }
        while (_pending.ContainsKey(id));
        return id;
    }

    /// <summary>
    /// Random bytes drawn from the system's generator 64 ids at a time, per thread: ids stay unpredictable (an
    /// answer is matched by id), and a call no longer costs a trip into OpenSSL (with a simulator's thousands of
    /// nodes on one thread, a tenth of the CPU went there).
    /// </summary>
    [ThreadStatic]
    private static byte[]? t_randomPool;

    [ThreadStatic]
    private static int t_randomUsed;

    private static uint NextRandom()
    {
        byte[]? pool = t_randomPool;
        if (pool is null || t_randomUsed + sizeof(uint) > pool.Length)
        {
            pool = t_randomPool ??= new byte[256];
            RandomNumberGenerator.Fill(pool);
            t_randomUsed = 0;
        }
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(pool.AsSpan(t_randomUsed));
        pool.AsSpan(t_randomUsed, sizeof(uint)).Clear();
        t_randomUsed += sizeof(uint);
        return value;
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class Pending(RpcTarget target, byte[] request, Action<RpcResult> callback, long started, int maxResends, bool backOff)
    {
        public bool BackOff { get; } = backOff;

        public RpcTarget Target { get; } = target;

        public byte[] Request { get; } = request;

        public Action<RpcResult> Callback { get; } = callback;

        public long Started { get; } = started;

        public int MaxResends { get; } = maxResends;

        public int Resends { get; set; }

        public long Deadline { get; set; }
    }

    /// <summary>A cached answer, kept in the dictionary itself: a node holds dozens, and 100,000 simulated nodes do too.</summary>
    private struct Answer
    {
        public long At;
        public byte[]? Encoded;
    }
}
