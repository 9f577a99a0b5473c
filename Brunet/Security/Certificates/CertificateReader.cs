using System.Buffers.Binary;
using Brunet.Addressing;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// Reads a certificate's big-endian fields; every read checks the remaining length first and throws
/// <see cref="WireFormatException"/> on short input. (Like <see cref="WireReader"/>, plus fixed-size fields.)
/// </summary>
internal ref struct CertificateReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public CertificateReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public byte ReadByte() => ReadFixed(1, "a byte")[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(ReadFixed(2, "a 16-bit field"));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(ReadFixed(8, "a 64-bit field"));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(ReadFixed(8, "a 64-bit field"));

    public Address ReadAddress() => Address.Read(ReadFixed(Address.Size, "an address"));

    public ReadOnlySpan<byte> ReadFixed(int count, string what)
    {
        if ((uint)count > (uint)Remaining)
        {
            WireViolation.ThrowTruncated(what);
        }
        ReadOnlySpan<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    public readonly void ExpectEnd(string what)
    {
        if (Remaining != 0)
        {
            WireViolation.Throw($"{what} has {Remaining} unexpected trailing bytes");
        }
    }
}
