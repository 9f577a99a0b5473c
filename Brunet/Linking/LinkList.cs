using System.Buffers.Binary;
using Brunet.Connections;
using Brunet.Messaging;
using Brunet.Routing;

namespace Brunet.Linking;

/// <summary>
/// The body of <c>sys:links</c>: the address prefixes (<see cref="LinkPrefixes"/>) of every node the sender is linked
/// to, ascending and distinct. Wire: count (16 bits), then count × 64-bit prefix, big-endian.
/// </summary>
public static class LinkList
{
    /// <summary>More than any node keeps (NodeOptions.MaxConnections is 256); a longer list is refused.</summary>
    public const int MaxCount = 256;

    public static byte[] Encode(ConnectionTable table)
    {
        int count = Math.Min(table.Count, MaxCount);
        Span<ulong> prefixes = count <= 64 ? stackalloc ulong[count] : new ulong[count];
        for (int i = 0; i < count; i++)
        {
            prefixes[i] = LinkPrefixes.Of(table.Clockwise[i].Peer);
        }
        prefixes.Sort();
        int distinct = 0;
        foreach (ulong prefix in prefixes)
        {
            if (distinct == 0 || prefix != prefixes[distinct - 1])
            {
                prefixes[distinct++] = prefix;
            }
        }
        count = distinct;
        byte[] body = new byte[2 + (8 * count)];
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)count);
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(2 + (8 * i)), prefixes[i]);
        }
        return body;
    }

    /// <summary>Reads a list; throws <see cref="WireFormatException"/> unless its length matches its count, the count is
    /// at most <see cref="MaxCount"/> and the prefixes strictly ascend.</summary>
    public static ulong[] Decode(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        int count = reader.ReadUInt16();
        if (count > MaxCount)
        {
            throw new WireFormatException($"link list: {count} prefixes, more than the limit of {MaxCount}");
        }
        if (reader.Remaining != 8 * count)
        {
            throw new WireFormatException($"link list: {count} prefixes need {8 * count} bytes, {reader.Remaining} follow");
        }
        ulong[] prefixes = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            prefixes[i] = reader.ReadUInt64();
            if (i > 0 && prefixes[i] <= prefixes[i - 1])
            {
                throw new WireFormatException("link list: prefixes do not strictly ascend");
            }
        }
        return prefixes;
    }
}
