using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Transport;

namespace Brunet.Linking;

/// <summary>A node and where it can be reached: what nodes tell each other about their neighbours.</summary>
public sealed record PeerInfo(Address Address, IReadOnlyList<TransportAddress> TransportAddresses)
{
    /// <summary>Transport addresses carried per node at most.</summary>
    public const int MaxTransportAddresses = 16;

    public void WriteTo(WireWriter writer) => Write(writer, Address, TransportAddresses);

    /// <summary>Writes a node and its transport addresses as <see cref="WriteTo"/> does, without a record for them.</summary>
    public static void Write(WireWriter writer, Address address, IReadOnlyList<TransportAddress> transportAddresses)
    {
        writer.WriteAddress(address);
        int count = Math.Min(transportAddresses.Count, MaxTransportAddresses);
        writer.WriteByte((byte)count);
        // The text form written straight from its parts: a neighbour list is served every few seconds per link.
        Span<byte> text = stackalloc byte[byte.MaxValue];
        for (int i = 0; i < count; i++)
        {
            int length = transportAddresses[i].FormatUtf8(text);
            writer.WriteByte((byte)length);
            writer.WriteBytes(text[..length]);
        }
    }

    public static PeerInfo Read(ref WireReader reader) => Read(ref reader, null);

    /// <param name="known">
    /// The addresses already known for a node, or null: when the node's addresses on the wire are exactly these, the
    /// known list is returned instead of a parsed copy (a node hears the same few neighbours every stabilization round).
    /// </param>
    public static PeerInfo Read(ref WireReader reader, Func<Address, IReadOnlyList<TransportAddress>?>? known)
    {
        Address address = reader.ReadAddress();
        int count = reader.ReadByte();
        if (count > MaxTransportAddresses)
        {
            WireViolation.Throw($"{count} transport addresses is more than the limit of {MaxTransportAddresses}");
        }
        if (known?.Invoke(address) is { } same && same.Count == count && count > 0 && TrySkipSame(ref reader, same))
        {
            return new PeerInfo(address, same);
        }
        // An exact-size array, not a list: a node keeps the addresses of the nodes it heard of for a minute or two.
        var addresses = count == 0 ? [] : new TransportAddress[count];
        int parsedCount = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> text = reader.ReadBytes8(TransportAddress.MaxTextLength, "transport address");
            // An address we cannot parse may be a transport we do not know yet: skip it, keep the rest.
            if (TransportAddress.TryParseUtf8(text, out TransportAddress? parsed))
            {
                addresses[parsedCount++] = parsed;
            }
        }
        return new PeerInfo(address, parsedCount == count ? addresses : addresses[..parsedCount]);
    }

    /// <summary>Reads past the addresses if they are exactly <paramref name="same"/>; else leaves the reader as it was.</summary>
    private static bool TrySkipSame(ref WireReader reader, IReadOnlyList<TransportAddress> same)
    {
        WireReader ahead = reader;
        Span<byte> expected = stackalloc byte[byte.MaxValue];
        for (int i = 0; i < same.Count; i++)
        {
            if (ahead.IsEmpty)
            {
                return false;
            }
            ReadOnlySpan<byte> text = ahead.ReadBytes8(TransportAddress.MaxTextLength, "transport address");
            if (!text.SequenceEqual(expected[..same[i].FormatUtf8(expected)]))
            {
                return false;
            }
        }
        reader = ahead;
        return true;
    }

    public static void WriteList(WireWriter writer, IReadOnlyList<PeerInfo> peers)
    {
        writer.WriteCount(peers.Count);
        foreach (PeerInfo peer in peers)
        {
            peer.WriteTo(writer);
        }
    }

    public static List<PeerInfo> ReadList(ref WireReader reader, int maxCount,
        Func<Address, IReadOnlyList<TransportAddress>?>? known = null)
    {
        int count = reader.ReadCount(maxCount, "peer list");
        var peers = new List<PeerInfo>(count + 1);
        for (int i = 0; i < count; i++)
        {
            peers.Add(Read(ref reader, known));
        }
        return peers;
    }
}
