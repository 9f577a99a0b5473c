using System.Buffers;
using Brunet.Messaging;

namespace Brunet.Dht;

/// <summary>
/// Bodies of the DHT's RPCs, big-endian:
/// <list type="bullet">
/// <item>store request: <c>[flags u8: bit 0 = replicate to the other holder][count u16][records]</c></item>
/// <item>store reply: <c>[count u16]</c>, then per record <c>[status u8]</c>, and for a conflict <c>[has u8][record]</c></item>
/// <item>query request: <c>[key u16+bytes]</c>; query reply: <c>[count u16][records]</c></item>
/// </list>
/// Readers throw only <see cref="WireFormatException"/>.
/// </summary>
public static class DhtWire
{
    private const byte ReplicateFlag = 1;

    public static byte[] WriteStoreRequest(bool replicate, IReadOnlyList<DhtRecord> records)
    {
        var output = new ArrayBufferWriter<byte>(256);
        var writer = new WireWriter(output);
        writer.WriteByte(replicate ? ReplicateFlag : (byte)0);
        WriteRecords(writer, records);
        return output.WrittenSpan.ToArray();
    }

    public static List<DhtRecord> ReadStoreRequest(ReadOnlySpan<byte> body, DhtOptions options, out bool replicate)
    {
        var reader = new WireReader(body);
        byte flags = reader.ReadByte();
        if ((flags & ~ReplicateFlag) != 0)
        {
            WireViolation.Throw($"unknown DHT store flags {flags}");
        }
        replicate = (flags & ReplicateFlag) != 0;
        List<DhtRecord> records = ReadRecords(ref reader, options);
        reader.ExpectEnd("DHT store request");
        return records;
    }

    public static void WriteStoreReply(WireWriter writer, IReadOnlyList<(DhtStoreStatus Status, DhtRecord? Conflict)> answers)
    {
        writer.WriteCount(answers.Count);
        foreach ((DhtStoreStatus status, DhtRecord? conflict) in answers)
        {
            writer.WriteByte((byte)status);
            if (status == DhtStoreStatus.Conflict)
            {
                writer.WriteBool(conflict is not null);
                conflict?.WriteTo(writer);
            }
        }
    }

    public static List<(DhtStoreStatus Status, DhtRecord? Conflict)> ReadStoreReply(ReadOnlySpan<byte> body, DhtOptions options)
    {
        var reader = new WireReader(body);
        int count = reader.ReadCount(options.MaxRecordsPerMessage, "DHT store answers");
        var answers = new List<(DhtStoreStatus, DhtRecord?)>(count);
        for (int i = 0; i < count; i++)
        {
            byte status = reader.ReadByte();
            if (status > (byte)DhtStoreStatus.BadCredential)
            {
                WireViolation.Throw($"unknown DHT store status {status}");
            }
            DhtRecord? conflict = null;
            if (status == (byte)DhtStoreStatus.Conflict && reader.ReadBool())
            {
                conflict = DhtRecord.ReadFrom(ref reader, options.MaxKeyBytes, options.MaxValueBytes);
            }
            answers.Add(((DhtStoreStatus)status, conflict));
        }
        reader.ExpectEnd("DHT store reply");
        return answers;
    }

    public static byte[] WriteQueryRequest(ReadOnlySpan<byte> key)
    {
        var output = new ArrayBufferWriter<byte>(key.Length + 2);
        new WireWriter(output).WriteBytes16(key);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] ReadQueryRequest(ReadOnlySpan<byte> body, DhtOptions options)
    {
        var reader = new WireReader(body);
        byte[] key = reader.ReadBytes16(options.MaxKeyBytes, "DHT key").ToArray();
        if (key.Length == 0)
        {
            WireViolation.Throw("DHT key is empty");
        }
        reader.ExpectEnd("DHT query");
        return key;
    }

    public static void WriteQueryReply(WireWriter writer, IReadOnlyList<DhtRecord> records) => WriteRecords(writer, records);

    public static List<DhtRecord> ReadQueryReply(ReadOnlySpan<byte> body, DhtOptions options)
    {
        var reader = new WireReader(body);
        List<DhtRecord> records = ReadRecords(ref reader, options);
        reader.ExpectEnd("DHT query reply");
        return records;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a fixed-size field such as a key or signature).</summary>
    public static byte[] ReadFixed(ref WireReader reader, int count, string what)
    {
        if (reader.Remaining < count)
        {
            WireViolation.ThrowTruncated(what);
        }
        byte[] bytes = reader.Rest[..count].ToArray();
        for (int i = 0; i < count; i++)
        {
            reader.ReadByte();
        }
        return bytes;
    }

    private static void WriteRecords(WireWriter writer, IReadOnlyList<DhtRecord> records)
    {
        writer.WriteCount(records.Count);
        foreach (DhtRecord record in records)
        {
            record.WriteTo(writer);
        }
    }

    private static List<DhtRecord> ReadRecords(ref WireReader reader, DhtOptions options)
    {
        int count = reader.ReadCount(options.MaxRecordsPerMessage, "DHT records");
        var records = new List<DhtRecord>(count);
        for (int i = 0; i < count; i++)
        {
            records.Add(DhtRecord.ReadFrom(ref reader, options.MaxKeyBytes, options.MaxValueBytes));
        }
        return records;
    }
}
