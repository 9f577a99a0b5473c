namespace Ipop.Dht.Tap;

/// <summary>
/// How one TCP/IPv4 frame the kernel handed over whole (TSO, up to 64 KiB) splits into MSS-sized frames: offsets in
/// the frame (Ethernet header first) and the segment count.
/// </summary>
internal readonly record struct TcpSegmentPlan(int IpOffset, int IpHeaderLength, int TcpHeaderLength, int PayloadLength, int SegmentSize)
{
    /// <summary>Ethernet, IP and TCP headers: what every segment repeats.</summary>
    public int HeaderLength => IpOffset + IpHeaderLength + TcpHeaderLength;

    public int Count => SegmentSize <= 0 ? 0 : (PayloadLength + SegmentSize - 1) / SegmentSize;
}
