namespace Brunet.Transport;

/// <summary>The kinds of edge. The numeric values are on the wire (link and crawl replies): never renumber.</summary>
public enum TransportKind : byte
{
    Udp = 1,
    Tcp = 2,
    Tunnel = 3,
    Memory = 4,
}
