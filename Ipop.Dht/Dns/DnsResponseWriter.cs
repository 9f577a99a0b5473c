using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ipop.Dht.Dns;

/// <summary>
/// Writes a response to one question: the header (ID, OPCODE and RD copied from the query; QR and AA set), the
/// question echoed, at most one A answer whose name points back at the question (0xC00C, RFC 1035 §4.1.4), and an
/// OPT record when the query had one (RFC 6891 §7).
/// </summary>
public static class DnsResponseWriter
{
    /// <summary>The smallest response buffer accepted: the classic DNS-over-UDP limit (RFC 1035 §4.2.1).</summary>
    public const int MinBufferSize = 512;

    /// <summary>The UDP payload size we announce in our OPT record (the DNS flag day 2020 value).</summary>
    public const ushort EdnsUdpPayloadSize = 1232;

    private const int AnswerSize = 2 + 2 + 2 + 4 + 2 + 4;     // name pointer, type, class, TTL, RDLENGTH, IPv4
    private const int OptSize = 1 + 2 + 2 + 4 + 2;            // root name, type, class (UDP size), TTL (ext. RCODE, flags), RDLENGTH

    /// <summary>The response's length in <paramref name="destination"/> (at least <see cref="MinBufferSize"/> bytes).</summary>
    public static int Write(Span<byte> destination, DnsHeader query, DnsQuestion? question, DnsResponseCode code, IPAddress? answer,
        uint ttlSeconds, bool edns)
    {
        if (destination.Length < MinBufferSize)
        {
            throw new ArgumentException($"A DNS response buffer has at least {MinBufferSize} bytes.", nameof(destination));
        }
        if (answer is not null && (answer.AddressFamily != AddressFamily.InterNetwork || question is null))
        {
            throw new ArgumentException("Only an IPv4 answer to a question is written.", nameof(answer));
        }
        ushort flags = (ushort)(DnsHeader.ResponseFlag | (query.Flags & 0x7800) | DnsHeader.AuthoritativeFlag
            | (query.Flags & DnsHeader.RecursionDesiredFlag) | (int)code);
        var header = new DnsHeader(query.Id, flags, question is null ? (ushort)0 : (ushort)1, answer is null ? (ushort)0 : (ushort)1, 0,
            edns ? (ushort)1 : (ushort)0);
        header.WriteTo(destination);
        int offset = DnsHeader.Size;
        if (question is not null)
        {
            offset += question.Name.WriteTo(destination[offset..]);   // at most 255 bytes: the 512 always hold it
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)question.Type);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], question.Class);
            offset += 4;
        }
        if (answer is not null)
        {
            Span<byte> record = destination.Slice(offset, AnswerSize);
            BinaryPrimitives.WriteUInt16BigEndian(record, 0xC000 | DnsHeader.Size);
            BinaryPrimitives.WriteUInt16BigEndian(record[2..], (ushort)DnsRecordType.A);
            BinaryPrimitives.WriteUInt16BigEndian(record[4..], DnsQuestion.InternetClass);
            BinaryPrimitives.WriteUInt32BigEndian(record[6..], ttlSeconds);
            BinaryPrimitives.WriteUInt16BigEndian(record[10..], 4);
            answer.TryWriteBytes(record[12..], out _);
            offset += AnswerSize;
        }
        if (edns)
        {
            Span<byte> opt = destination.Slice(offset, OptSize);
            opt[0] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(opt[1..], (ushort)DnsRecordType.Opt);
            BinaryPrimitives.WriteUInt16BigEndian(opt[3..], EdnsUdpPayloadSize);
            BinaryPrimitives.WriteUInt32BigEndian(opt[5..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(opt[9..], 0);
            offset += OptSize;
        }
        return offset;
    }
}
