using System.Buffers.Binary;
using Brunet.Messaging;

namespace Ipop.Dht.Dns;

/// <summary>
/// A DNS query as a stub resolver sends it: the header, its one question, and whether an EDNS OPT record
/// (RFC 6891 §6) was in the additional section, with the UDP payload size it announced.
/// </summary>
public sealed record DnsQuery(DnsHeader Header, DnsQuestion Question, bool HasEdns, ushort EdnsUdpPayloadSize)
{
    /// <summary>
    /// Reads a query; <see cref="WireFormatException"/> when it is malformed: truncated, not exactly one question, a bad
    /// name, a record running past the end, bytes after the last record. Answer and authority records are skipped.
    /// </summary>
    public static DnsQuery Read(ReadOnlySpan<byte> message)
    {
        DnsHeader header = DnsHeader.Read(message);
        if (header.QuestionCount != 1)
        {
            WireViolation.Throw($"a DNS query has {header.QuestionCount} questions; we answer exactly one");
        }
        int offset = DnsHeader.Size;
        DnsName name = DnsName.Read(message, ref offset);
        ReadOnlySpan<byte> fixedPart = Take(message, ref offset, 4, "a DNS question");
        var question = new DnsQuestion(name, (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedPart),
            BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]));
        bool hasEdns = false;
        ushort udpSize = 0;
        int records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        for (int i = 0; i < records; i++)
        {
            DnsName owner = DnsName.Read(message, ref offset);
            ReadOnlySpan<byte> fields = Take(message, ref offset, 10, "a DNS resource record");
            var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fields);
            ushort dataLength = BinaryPrimitives.ReadUInt16BigEndian(fields[8..]);
            Take(message, ref offset, dataLength, "a DNS record's data");
            bool additional = i >= header.AnswerCount + header.AuthorityCount;
            if (type == DnsRecordType.Opt)
            {
                if (!additional || hasEdns || owner.Labels.Count != 0)
                {
                    WireViolation.Throw("an EDNS OPT record must be one, in the additional section, owned by the root (RFC 6891 §6.1.1)");
                }
                hasEdns = true;
                udpSize = BinaryPrimitives.ReadUInt16BigEndian(fields[2..]);   // the CLASS field carries it
            }
        }
        if (offset != message.Length)
        {
            WireViolation.Throw($"a DNS query has {message.Length - offset} bytes after its last record");
        }
        return new DnsQuery(header, question, hasEdns, udpSize);
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> message, ref int offset, int count, string what)
    {
        if ((uint)count > (uint)(message.Length - offset))
        {
            WireViolation.ThrowTruncated(what);
        }
        ReadOnlySpan<byte> slice = message.Slice(offset, count);
        offset += count;
        return slice;
    }
}
