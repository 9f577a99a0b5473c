using System.Buffers;

namespace Brunet.Messaging.Rpc;

/// <summary>The kinds of RPC message. On the wire: never renumber.</summary>
public enum RpcKind : byte
{
    Request = 1,
    Reply = 2,
    Error = 3,

    /// <summary>A request that wants no reply (close, link updates).</summary>
    Notify = 4,
}

/// <summary>
/// An RPC message after the <see cref="PayloadType.Rpc"/> byte: <c>[kind u8][id u32]</c>, then for a request or
/// notify the method (8-bit length, ASCII) and the body, for a reply the body, for an error a code byte and a message.
/// </summary>
public readonly ref struct RpcMessage
{
    /// <summary>Method names are short ASCII identifiers such as <c>sys:link</c>.</summary>
    public const int MaxMethodLength = 64;

    /// <summary>Error texts are for people, so short.</summary>
    public const int MaxErrorLength = 512;

    public RpcKind Kind { get; init; }

    public uint Id { get; init; }

    public string Method { get; init; }

    public RpcError ErrorCode { get; init; }

    public string ErrorMessage { get; init; }

    public ReadOnlySpan<byte> Body { get; init; }

    /// <summary>Parses an RPC message; throws <see cref="WireFormatException"/> on anything malformed.</summary>
    public static RpcMessage Read(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        byte kind = reader.ReadByte();
        uint id = reader.ReadUInt32();
        switch ((RpcKind)kind)
        {
            case RpcKind.Request:
            case RpcKind.Notify:
                string method = reader.ReadString8(MaxMethodLength, "RPC method");
                if (method.Length == 0)
                {
                    WireViolation.Throw("RPC method name is empty");
                }
                return new RpcMessage { Kind = (RpcKind)kind, Id = id, Method = method, ErrorMessage = "", Body = reader.Rest };
            case RpcKind.Reply:
                return new RpcMessage { Kind = RpcKind.Reply, Id = id, Method = "", ErrorMessage = "", Body = reader.Rest };
            case RpcKind.Error:
                byte code = reader.ReadByte();
                string text = reader.ReadString16(MaxErrorLength, "RPC error message");
                reader.ExpectEnd("RPC error");
                return new RpcMessage { Kind = RpcKind.Error, Id = id, Method = "", ErrorCode = (RpcError)code, ErrorMessage = text };
            default:
                WireViolation.Throw($"unknown RPC kind {kind}");
                return default;
        }
    }

    public static void WriteRequest(IBufferWriter<byte> output, RpcKind kind, uint id, string method, ReadOnlySpan<byte> body)
    {
        var writer = new WireWriter(output);
        writer.WriteByte((byte)PayloadType.Rpc);
        writer.WriteByte((byte)kind);
        writer.WriteUInt32(id);
        writer.WriteString8(method);
        writer.WriteBytes(body);
    }

    public static void WriteReply(IBufferWriter<byte> output, uint id, ReadOnlySpan<byte> body)
    {
        var writer = new WireWriter(output);
        writer.WriteByte((byte)PayloadType.Rpc);
        writer.WriteByte((byte)RpcKind.Reply);
        writer.WriteUInt32(id);
        writer.WriteBytes(body);
    }

    public static void WriteError(IBufferWriter<byte> output, uint id, RpcError code, string message)
    {
        if (message.Length > MaxErrorLength / 4)
        {
            message = message[..(MaxErrorLength / 4)];
        }
        var writer = new WireWriter(output);
        writer.WriteByte((byte)PayloadType.Rpc);
        writer.WriteByte((byte)RpcKind.Error);
        writer.WriteUInt32(id);
        writer.WriteByte((byte)code);
        writer.WriteString16(message);
    }
}

/// <summary>Why an RPC failed. On the wire (error replies): never renumber.</summary>
public enum RpcError : byte
{
    None = 0,
    NoSuchMethod = 1,
    BadRequest = 2,
    Refused = 3,
    Internal = 4,

    /// <summary>Local only: no reply within the retransmits.</summary>
    Timeout = 100,

    /// <summary>Local only: the request could not be sent (no route, edge closed, too many pending).</summary>
    Unreachable = 101,
}
