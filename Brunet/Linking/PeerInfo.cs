using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Transport;

namespace Brunet.Linking;

/// <summary>A node and where it can be reached: what nodes tell each other about their neighbours.</summary>
public sealed record PeerInfo(Address Address, IReadOnlyList<TransportAddress> TransportAddresses)
{
    /// <summary>Transport addresses carried per node at most.</summary>
    public const int MaxTransportAddresses = 16;

    public void WriteTo(WireWriter writer)
    {
        writer.WriteAddress(Address);
        int count = Math.Min(TransportAddresses.Count, MaxTransportAddresses);
        writer.WriteByte((byte)count);
        for (int i = 0; i < count; i++)
        {
            writer.WriteString8(TransportAddresses[i].ToString());
        }
    }

    public static PeerInfo Read(ref WireReader reader)
    {
        Address address = reader.ReadAddress();
        int count = reader.ReadByte();
        if (count > MaxTransportAddresses)
        {
            WireViolation.Throw($"{count} transport addresses is more than the limit of {MaxTransportAddresses}");
        }
        var addresses = new List<TransportAddress>(count);
        for (int i = 0; i < count; i++)
        {
            string text = reader.ReadString8(TransportAddress.MaxTextLength, "transport address");
            // An address we cannot parse may be a transport we do not know yet: skip it, keep the rest.
            if (TransportAddress.TryParse(text, out TransportAddress? parsed))
            {
                addresses.Add(parsed);
            }
        }
        return new PeerInfo(address, addresses);
    }

    public static void WriteList(WireWriter writer, IReadOnlyList<PeerInfo> peers)
    {
        writer.WriteCount(peers.Count);
        foreach (PeerInfo peer in peers)
        {
            peer.WriteTo(writer);
        }
    }

    public static List<PeerInfo> ReadList(ref WireReader reader, int maxCount)
    {
        int count = reader.ReadCount(maxCount, "peer list");
        var peers = new List<PeerInfo>(count);
        for (int i = 0; i < count; i++)
        {
            peers.Add(Read(ref reader));
        }
        return peers;
    }
}
