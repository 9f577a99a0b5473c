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
            var output = new ArrayBufferWriter<byte>(body.Length + 8);
            RpcMessage.WriteReply(output, Id, body);
            _manager.SendAnswer(this, output.WrittenSpan);
        }
    }

    public void Reply(Action<WireWriter> write)
    {
        var body = new ArrayBufferWriter<byte>(64);
        write(new WireWriter(body));
        Reply(body.WrittenSpan);
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
