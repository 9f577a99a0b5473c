using System.Buffers;
using Brunet.Addressing;

namespace Brunet.Messaging.Rpc;

/// <summary>A request being served. Reply or fail exactly once; later answers are ignored.</summary>
public sealed class RpcCall
{
    private readonly RpcManager _manager;
    private int _answered;

    internal RpcCall(RpcManager manager, RpcTarget replyTo, Address from, uint id, string method)
    {
        _manager = manager;
        ReplyTo = replyTo;
        From = from;
        Id = id;
        Method = method;
    }

    /// <summary>The authenticated address of the caller (the edge's peer, or the routed packet's source).</summary>
    public Address From { get; }

    /// <summary>True when the request came over one edge rather than routed.</summary>
    public bool IsDirect => ReplyTo.IsDirect;

    /// <summary>The edge it came over, for direct calls.</summary>
    public object? Edge => ReplyTo.Edge;

    public uint Id { get; }

    public string Method { get; }

    internal RpcTarget ReplyTo { get; }

    public void Reply(ReadOnlySpan<byte> body)
    {
        if (Interlocked.Exchange(ref _answered, 1) == 0)
        {
            ArrayBufferWriter<byte> output = ScratchWriters.Take();
            RpcMessage.WriteReply(output, Id, body);
            _manager.SendAnswer(this, output.WrittenSpan);
            ScratchWriters.Return(output);
        }
    }

    public void Reply(Action<WireWriter> write)
    {
        ArrayBufferWriter<byte> body = ScratchWriters.Take();
        write(new WireWriter(body));
        Reply(body.WrittenSpan);
        ScratchWriters.Return(body);
    }

    public void Fail(RpcError code, string message)
    {
        if (Interlocked.Exchange(ref _answered, 1) == 0)
        {
            var output = new ArrayBufferWriter<byte>(message.Length + 16);
            RpcMessage.WriteError(output, Id, code, message);
            _manager.SendAnswer(this, output.WrittenSpan);
        }
    }
}

/// <summary>Serves one method. Runs on the node loop; may answer later through <paramref name="call"/>.</summary>
public delegate void RpcHandler(RpcCall call, ReadOnlySpan<byte> body);

/// <summary>
/// Encoding buffers for answers, reused on each thread: an answer is encoded, sent (copied into a frame) and dropped
/// before <see cref="RpcCall.Reply(ReadOnlySpan{byte})"/> returns, so a node's loop needs only a couple, where a fresh
/// growing buffer per answer was the node's largest allocation (stabilization answers a few per second).
/// </summary>
internal static class ScratchWriters
{
    private const int Slots = 4;
    private const int MaxKeptCapacity = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>?[]? t_free;

    [ThreadStatic]
    private static int t_count;

    /// <summary>An empty writer: a kept one when this thread has one free, else a new one (nested use gets its own).</summary>
    public static ArrayBufferWriter<byte> Take()
    {
        ArrayBufferWriter<byte>?[]? free = t_free;
        if (free is not null && t_count > 0)
        {
            ArrayBufferWriter<byte> writer = free[--t_count]!;
            free[t_count] = null;
            return writer;
        }
        return new ArrayBufferWriter<byte>(256);
    }

    /// <summary>Gives a writer back for reuse on this thread (dropped when it grew large or the slots are full).</summary>
    public static void Return(ArrayBufferWriter<byte> writer)
    {
        if (writer.Capacity > MaxKeptCapacity)
        {
            return;
        }
        ArrayBufferWriter<byte>?[] free = t_free ??= new ArrayBufferWriter<byte>?[Slots];
        if (t_count < Slots)
        {
            writer.ResetWrittenCount();
            free[t_count++] = writer;
        }
    }
}
