using System.Buffers.Binary;
using Brunet.Messaging;

namespace Ipop.Dht.Dns;

/// <summary>
/// The 12-byte DNS header (RFC 1035 §4.1.1): ID, flags (QR 1 bit, OPCODE 4, AA, TC, RD, RA, Z 3, RCODE 4), then the
/// counts of questions, answers, authority and additional records.
/// </summary>
public readonly record struct DnsHeader(ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount,
    ushort AdditionalCount)
{
    public const int Size = 12;

    public const ushort ResponseFlag = 0x8000;
    public const ushort AuthoritativeFlag = 0x0400;
    public const ushort TruncatedFlag = 0x0200;
    public const ushort RecursionDesiredFlag = 0x0100;
    public const ushort RecursionAvailableFlag = 0x0080;

    public bool IsResponse => (Flags & ResponseFlag) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public bool RecursionDesired => (Flags & RecursionDesiredFlag) != 0;

    public DnsResponseCode ResponseCode => (DnsResponseCode)(Flags & 0xF);

    public static bool TryRead(ReadOnlySpan<byte> source, out DnsHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }
        header = new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(source),
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[10..]));
        return true;
    }

    public static DnsHeader Read(ReadOnlySpan<byte> source) =>
        TryRead(source, out DnsHeader header) ? header : throw new WireFormatException("a DNS header is truncated");

    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("A DNS header needs 12 bytes.", nameof(destination));
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], AdditionalCount);
    }
}
