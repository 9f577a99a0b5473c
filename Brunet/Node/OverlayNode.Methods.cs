using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;

namespace Brunet.Node;

/// <summary>The built-in RPC methods: ping, linking, neighbour lists, and the status calls the crawler uses.</summary>
public sealed partial class OverlayNode
{
    /// <summary>Set by the GroupVPN so status and crawl replies name the node's virtual IP.</summary>
    public string? VirtualIp { get; set; }

    private void RegisterBuiltInMethods()
    {
        Rpc.Register(Methods.Ping, static (call, _) => call.Reply([]), idempotent: true);
        Rpc.Register(Methods.Link, ServeLink);
        Rpc.Register(Methods.LinkUpdate, ServeLinkUpdate);
        Rpc.Register(Methods.Close, ServeClose);
        Rpc.Register(Methods.Neighbors, ServeNeighbors, idempotent: true);
        Rpc.Register(Methods.ConnectTo, ServeConnectTo);
        Rpc.Register(Methods.Links, ServeLinkList, idempotent: true);
        Rpc.Register(Methods.Birthday, ServeBirthday);
        Rpc.Register(Methods.LinkStatus, (call, _) => call.Reply(w => GetLinkStatus().WriteTo(w)));
        Rpc.Register(Methods.NodeInfo, (call, _) => call.Reply(w => GetNodeInfo().WriteTo(w)));
    }

    /// <summary>This node's neighbours, links and edges. On the loop.</summary>
    public LinkStatus GetLinkStatus()
    {
        ConnectionTable table = Connections;
        var right = new List<Address>();
        var left = new List<Address>();
        for (int i = 0; i < 2; i++)
        {
            if (table.Right(i) is { } r)
            {
                right.Add(r.Peer);
            }
            if (table.Left(i) is { } l)
            {
                left.Add(l.Peer);
            }
        }
        if (LieAboutLeft is { } lie && left.Count > 0)
        {
            left[0] = lie;
        }
        // Bounded so the reply always fits one frame (the crawler walks the ring with it).
        var links = table.Clockwise
            .Take(MaxReportedLinks)
            .Select(c => new LinkReport(c.Peer, c.Types, c.Edge.Kind, Shorten(c.Edge.RemoteAddress)))
            .ToList();
        int associations = _edges.Count(e => e.Secure.IsEstablished && !e.Secure.IsClosed);
        var edges = _edges.Where(e => !e.Secure.IsClosed)
            .OrderByDescending(e => e.IsLinked)
            .Take(MaxReportedLinks)
            .Select(e => new EdgeReport(e.Kind, Shorten(e.RemoteAddress), e.IsLinked))
            .ToList();
        return new LinkStatus(Address, right, left, links, edges, associations, VirtualIp);
    }

    /// <summary>Links and edges a link-status reply names at most (each costs about 60 bytes of a 4 KiB frame).</summary>
    private const int MaxReportedLinks = 28;

    private static string Shorten(string remote) => remote.Length > 48 ? remote[..48] : remote;

    /// <summary>Identity, addresses and counters. On the loop.</summary>
    public NodeInfo GetNodeInfo() => new(
        Address,
        Namespace,
        TransportAddresses.Select(a => a.ToString()).ToList(),
        Connections.Count,
        _edges.Count,
        EstimateNetworkSize(),
        VirtualIp);
}

/// <summary>A node's answer to <c>sys:node.info</c>.</summary>
public sealed record NodeInfo(
    Address Address,
    string Namespace,
    IReadOnlyList<string> TransportAddresses,
    int Links,
    int Edges,
    double EstimatedNetworkSize,
    string? VirtualIp)
{
    public void WriteTo(WireWriter writer)
    {
        writer.WriteAddress(Address);
        writer.WriteString8(Namespace);
        writer.WriteByte((byte)Math.Min(TransportAddresses.Count, 16));
        foreach (string address in TransportAddresses.Take(16))
        {
            writer.WriteString8(address);
        }
        writer.WriteUInt32((uint)Links);
        writer.WriteUInt32((uint)Edges);
        writer.WriteDouble(EstimatedNetworkSize);
        writer.WriteString8(VirtualIp ?? "");
    }

    public static NodeInfo Read(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        Address address = reader.ReadAddress();
        string ns = reader.ReadString8(255, "namespace");
        int count = reader.ReadByte();
        if (count > 16)
        {
            WireViolation.Throw("too many transport addresses");
        }
        var addresses = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            addresses.Add(reader.ReadString8(255, "transport address"));
        }
        int links = (int)Math.Min(reader.ReadUInt32(), int.MaxValue);
        int edges = (int)Math.Min(reader.ReadUInt32(), int.MaxValue);
        double size = reader.ReadDouble();
        string ip = reader.ReadString8(64, "virtual IP");
        return new NodeInfo(address, ns, addresses, links, edges, size, ip.Length == 0 ? null : ip);
    }
}
