namespace Brunet.Messaging;

/// <summary>The first byte of every plaintext frame on a secure edge. On the wire: never renumber.</summary>
public enum FrameType : byte
{
    /// <summary>A <see cref="RoutedHeader"/> then a payload: travels over the ring hop by hop.</summary>
    Routed = 1,

    /// <summary>A payload for the node at the other end of this edge only.</summary>
    Direct = 2,
}

/// <summary>The first byte of a payload: which layer above routing receives it. On the wire: never renumber.</summary>
public enum PayloadType : byte
{
    Rpc = 1,

    /// <summary>An IP packet of the GroupVPN (issue C).</summary>
    IpPacket = 2,

    /// <summary>A relay edge's datagram carried over the overlay (issue D).</summary>
    Tunnel = 3,

    /// <summary>
    /// A GroupVPN TCP/IPv4 packet of up to 64 KB that stands for several segments (a TSO frame): GSO facts, then the
    /// packet. Carried only in super-frames over a direct edge (SecureEdge.TrySendSuperFrame).
    /// </summary>
    IpGsoPacket = 4,
}
