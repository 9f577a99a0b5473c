using System.Buffers.Binary;
using System.Text;
using Brunet.Addressing;

namespace Brunet.Messaging;

/// <summary>
/// Reads big-endian fields from a span. Every read checks the remaining length first and throws
/// <see cref="WireViolation"/> on short input, so a handler can parse a message in straight-line code.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsEmpty => Remaining == 0;

    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    public byte ReadByte() => Take(1, "a byte")[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2, "a 16-bit field"));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4, "a 32-bit field"));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8, "a 64-bit field"));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "a 64-bit field"));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleBigEndian(Take(8, "a double"));

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        _ => throw new WireFormatException("a boolean is neither 0 nor 1"),
    };

    public Address ReadAddress() => Address.Read(Take(Address.Size, "an address"));

    /// <summary>A field with a 16-bit length prefix, at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes16(int maxLength, string what)
    {
        int length = ReadUInt16();
        if (length > maxLength)
        {
            WireViolation.ThrowTooLong(what, length, maxLength);
        }
        return Take(length, what);
    }

    /// <summary>UTF-8 text with an 8-bit length prefix, at most <paramref name="maxLength"/> bytes.</summary>
    public string ReadString8(int maxLength, string what) => Encoding.UTF8.GetString(ReadBytes8(maxLength, what));

    /// <summary>A field with an 8-bit length prefix, at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes8(int maxLength, string what)
    {
        int length = ReadByte();
        if (length > maxLength)
        {
            WireViolation.ThrowTooLong(what, length, maxLength);
        }
        return Take(length, what);
    }

    /// <summary>UTF-8 text with a 16-bit length prefix, at most <paramref name="maxLength"/> bytes.</summary>
    public string ReadString16(int maxLength, string what) => Encoding.UTF8.GetString(ReadBytes16(maxLength, what));

    /// <summary>A count with a 16-bit prefix, at most <paramref name="maxCount"/>.</summary>
    public int ReadCount(int maxCount, string what)
    {
        int count = ReadUInt16();
        if (count > maxCount)
        {
            WireViolation.Throw($"{what}: {count} items is more than the limit of {maxCount}");
        }
        return count;
    }

    public void ExpectEnd(string what)
    {
        if (Remaining != 0)
        {
            WireViolation.Throw($"{what} has {Remaining} unexpected trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if ((uint)count > (uint)Remaining)
        {
            WireViolation.ThrowTruncated(what);
        }
        ReadOnlySpan<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
