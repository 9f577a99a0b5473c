namespace Ipop.Dht.PacketPath;

/// <summary>A frame device that takes one large TCP/IPv4 frame standing for several segments (the TAP with offloads).</summary>
internal interface IGsoFrameWriter
{
    /// <summary>True when <see cref="WriteTcp4Gso"/> may be used.</summary>
    bool Offload { get; }

    /// <summary>
    /// Writes a coalesced TCP/IPv4 frame (Ethernet first) whose TCP checksum field holds the pseudo-header sum: the
    /// host takes it as segments of <paramref name="segmentSize"/> payload bytes (GSO) with a checksum still to do.
    /// </summary>
    void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize);

    /// <summary>As <see cref="WriteTcp4Gso(ReadOnlySpan{byte}, int)"/>, with the GSO type's ECN flag when <paramref name="ecn"/>.</summary>
    void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize, bool ecn) => WriteTcp4Gso(frame, segmentSize);

    /// <summary>As <see cref="WriteTcp4Gso(ReadOnlySpan{byte}, int, bool)"/>, the Ethernet header and the IP packet apart (no copy).</summary>
    void WriteTcp4Gso(ReadOnlySpan<byte> ethernet, ReadOnlySpan<byte> packet, int segmentSize, bool ecn) =>
        WriteTcp4Gso([.. ethernet, .. packet], segmentSize, ecn);
}
