using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Brunet.Addressing;

namespace Brunet.Messaging;

/// <summary>Writes big-endian fields into an <see cref="ArrayBufferWriter{T}"/>; the mirror of <see cref="WireReader"/>.</summary>
public readonly struct WireWriter(IBufferWriter<byte> writer)
{
    public void WriteByte(byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public void WriteAddress(Address address)
    {
        address.WriteTo(writer.GetSpan(Address.Size));
        writer.Advance(Address.Size);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
    }

    public void WriteBytes16(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("A 16-bit length field cannot hold this many bytes.", nameof(bytes));
        }
        WriteUInt16((ushort)bytes.Length);
        writer.Write(bytes);
    }

    public void WriteString8(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        if (length > byte.MaxValue)
        {
            throw new ArgumentException("An 8-bit length field cannot hold this text.", nameof(text));
        }
        WriteByte((byte)length);
        Span<byte> span = writer.GetSpan(length);
        Encoding.UTF8.GetBytes(text, span);
        writer.Advance(length);
    }

    public void WriteString16(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException("A 16-bit length field cannot hold this text.", nameof(text));
        }
        WriteUInt16((ushort)length);
        Span<byte> span = writer.GetSpan(length);
        Encoding.UTF8.GetBytes(text, span);
        writer.Advance(length);
    }

    public void WriteCount(int count)
    {
        WriteUInt16(checked((ushort)count));
    }
}
