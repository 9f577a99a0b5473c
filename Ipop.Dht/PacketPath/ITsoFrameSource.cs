namespace Ipop.Dht.PacketPath;

/// <summary>
/// A frame device that can hand over the host's TSO frames whole (the TAP with offloads), so a super-frame carries
/// one as it is: one seal, one open, and the receiving host takes it as one GSO frame.
/// </summary>
internal interface ITsoFrameSource
{
    /// <summary>
    /// The GSO segment size of the frame the last read returned whole: a TCP/IPv4 frame of up to 64 KB whose TCP
    /// checksum holds only the pseudo-header sum. 0 when the last read returned an ordinary frame.
    /// </summary>
    int LastSegmentSize { get; }

    /// <summary>True when the last whole frame's GSO type carried the ECN flag.</summary>
    bool LastEcn { get; }

    /// <summary>
    /// The last whole frame (<paramref name="frame"/>, as the read returned it, unchanged) goes out as ordinary segments
    /// after all: the next reads return them.
    /// </summary>
    void SplitLast(ReadOnlySpan<byte> frame);
}
