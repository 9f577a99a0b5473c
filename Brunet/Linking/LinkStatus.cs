using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging;
using Brunet.Transport;

namespace Brunet.Linking;

/// <summary>One link as a node reports it to the crawler.</summary>
public sealed record LinkReport(Address Peer, ConnectionType Types, TransportKind EdgeKind, string Remote);

/// <summary>One open edge (linked or not) as a node reports it.</summary>
public sealed record EdgeReport(TransportKind Kind, string Remote, bool Linked);

/// <summary>
/// A node's answer to <c>sys:link.status</c>: its neighbours on each side, its links and edges. The crawler walks the
/// ring with it and checks Brunet's consistency (right.left, left.right, … point back).
/// </summary>
public sealed record LinkStatus(
    Address Node,
    IReadOnlyList<Address> Right,
    IReadOnlyList<Address> Left,
    IReadOnlyList<LinkReport> Links,
    IReadOnlyList<EdgeReport> Edges,
    int SecurityAssociations,
    string? VirtualIp)
{
    public const int MaxLinks = 1024;
    public const int MaxNeighbours = 8;

    public void WriteTo(WireWriter writer)
    {
        writer.WriteAddress(Node);
        WriteAddresses(writer, Right);
        WriteAddresses(writer, Left);
        writer.WriteCount(Links.Count);
        foreach (LinkReport link in Links)
        {
            writer.WriteAddress(link.Peer);
            writer.WriteByte((byte)link.Types);
            writer.WriteByte((byte)link.EdgeKind);
            writer.WriteString8(link.Remote.Length > 200 ? link.Remote[..200] : link.Remote);
        }
        writer.WriteCount(Math.Min(Edges.Count, MaxLinks));
        foreach (EdgeReport edge in Edges.Take(MaxLinks))
        {
            writer.WriteByte((byte)edge.Kind);
            writer.WriteString8(edge.Remote.Length > 200 ? edge.Remote[..200] : edge.Remote);
            writer.WriteBool(edge.Linked);
        }
        writer.WriteUInt32((uint)SecurityAssociations);
        writer.WriteString8(VirtualIp ?? "");
    }

    public static LinkStatus Read(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        Address node = reader.ReadAddress();
        List<Address> right = ReadAddresses(ref reader);
        List<Address> left = ReadAddresses(ref reader);
        int count = reader.ReadCount(MaxLinks, "link list");
        var links = new List<LinkReport>(count);
        for (int i = 0; i < count; i++)
        {
            Address peer = reader.ReadAddress();
            var types = (ConnectionType)reader.ReadByte();
            var kind = (TransportKind)reader.ReadByte();
            string remote = reader.ReadString8(255, "edge address");
            links.Add(new LinkReport(peer, types, kind, remote));
        }
        int edgeCount = reader.ReadCount(MaxLinks, "edge list");
        var edges = new List<EdgeReport>(edgeCount);
        for (int i = 0; i < edgeCount; i++)
        {
            var kind = (TransportKind)reader.ReadByte();
            string remote = reader.ReadString8(255, "edge address");
            edges.Add(new EdgeReport(kind, remote, reader.ReadBool()));
        }
        int associations = (int)Math.Min(reader.ReadUInt32(), int.MaxValue);
        string virtualIp = reader.ReadString8(64, "virtual IP");
        return new LinkStatus(node, right, left, links, edges, associations, virtualIp.Length == 0 ? null : virtualIp);
    }

    private static void WriteAddresses(WireWriter writer, IReadOnlyList<Address> addresses)
    {
        writer.WriteByte((byte)Math.Min(addresses.Count, MaxNeighbours));
        for (int i = 0; i < addresses.Count && i < MaxNeighbours; i++)
        {
            writer.WriteAddress(addresses[i]);
        }
    }

    private static List<Address> ReadAddresses(ref WireReader reader)
    {
        int count = reader.ReadByte();
        if (count > MaxNeighbours)
        {
            WireViolation.Throw($"{count} neighbours is more than the limit of {MaxNeighbours}");
        }
        var list = new List<Address>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(reader.ReadAddress());
        }
        return list;
    }
}
