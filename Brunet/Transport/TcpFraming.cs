using System.Buffers;
using System.Buffers.Binary;

namespace Brunet.Transport;

/// <summary>
/// The TCP edge framing: each datagram is a 2-byte big-endian length then that many payload bytes. A length of zero
/// is a protocol violation (it would carry nothing and lets a peer spin us). Pure: no I/O, never throws on input.
/// </summary>
internal static class TcpFraming
{
    public const int HeaderSize = 2;

    /// <summary>Largest payload a 16-bit length can describe.</summary>
    public const int MaxPayloadSize = ushort.MaxValue;

    public const int MaxFrameSize = HeaderSize + MaxPayloadSize;

    /// <summary>
    /// Reads the frame at the start of <paramref name="buffer"/>. <see cref="OperationStatus.Done"/>: a whole frame
    /// of <paramref name="payloadLength"/> payload bytes starts there (it is <see cref="HeaderSize"/> + payloadLength
    /// long). <see cref="OperationStatus.NeedMoreData"/>: not yet complete. <see cref="OperationStatus.InvalidData"/>:
    /// a zero length, so the stream is broken.
    /// </summary>
    public static OperationStatus ReadFrame(ReadOnlySpan<byte> buffer, out int payloadLength)
    {
        payloadLength = 0;
        if (buffer.Length < HeaderSize)
        {
            return OperationStatus.NeedMoreData;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (length == 0)
        {
            return OperationStatus.InvalidData;
        }
        if (buffer.Length - HeaderSize < length)
        {
            return OperationStatus.NeedMoreData;
        }
        payloadLength = length;
        return OperationStatus.Done;
    }

    /// <summary>
    /// Sequence form of <see cref="ReadFrame(ReadOnlySpan{byte}, out int)"/>: on <see cref="OperationStatus.Done"/>,
    /// <paramref name="payload"/> is the frame's payload and <paramref name="buffer"/> is advanced past the frame;
    /// otherwise <paramref name="buffer"/> is unchanged.
    /// </summary>
    public static OperationStatus ReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSize)
        {
            return OperationStatus.NeedMoreData;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        int length = BinaryPrimitives.ReadUInt16BigEndian(header);
        if (length == 0)
        {
            return OperationStatus.InvalidData;
        }
        if (buffer.Length - HeaderSize < length)
        {
            return OperationStatus.NeedMoreData;
        }
        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return OperationStatus.Done;
    }

    /// <summary>Writes the length header of a frame carrying <paramref name="payloadLength"/> bytes (1 to 65,535).</summary>
    public static void WriteHeader(Span<byte> destination, int payloadLength)
    {
        if ((uint)(payloadLength - 1) >= MaxPayloadSize)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "A TCP edge frame carries 1 to 65535 bytes.");
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)payloadLength);
    }

    /// <summary>Writes one whole frame: header and payload.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        int size = HeaderSize + payload.Length;
        Span<byte> span = writer.GetSpan(size);
        WriteHeader(span, payload.Length);
        payload.CopyTo(span[HeaderSize..]);
        writer.Advance(size);
    }
}
