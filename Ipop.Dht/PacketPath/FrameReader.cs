namespace Ipop.Dht.PacketPath;

/// <summary>Finds the UDP payload in a frame from the TAP (Ethernet II, IPv4 with or without options, not fragmented).</summary>
internal static class FrameReader
{
    /// <summary>
    /// True when <paramref name="frame"/> is an unfragmented IPv4 UDP datagram with a correct IPv4 header checksum
    /// and a correct (or absent) UDP checksum; <paramref name="payloadOffset"/> and <paramref name="payloadLength"/>
    /// locate the payload in <paramref name="frame"/>. Bytes after the IPv4 total length (Ethernet padding) are ignored.
    /// </summary>
    public static bool TryReadUdp(ReadOnlySpan<byte> frame, out Ipv4Header ip, out UdpHeader udp, out int payloadOffset, out int payloadLength)
    {
        ip = default;
        udp = default;
        payloadOffset = 0;
        payloadLength = 0;
        if (!EthernetHeader.TryRead(frame, out EthernetHeader ethernet) || ethernet.EtherType != EtherType.IPv4)
        {
            return false;
        }
        ReadOnlySpan<byte> packet = frame[EthernetHeader.Size..];
        if (!Ipv4Header.TryRead(packet, out ip) || ip.Protocol != Ipv4Header.ProtocolUdp || ip.IsFragment
            || !Ipv4Header.VerifyChecksum(packet))
        {
            return false;
        }
        ReadOnlySpan<byte> datagram = packet[ip.HeaderLength..ip.TotalLength];
        if (!UdpHeader.TryRead(datagram, out udp) || udp.Length != datagram.Length
            || !UdpHeader.VerifyChecksum(ip.Source, ip.Destination, datagram))
        {
            return false;
        }
        payloadOffset = EthernetHeader.Size + ip.HeaderLength + UdpHeader.Size;
        payloadLength = udp.Length - UdpHeader.Size;
        return true;
    }
}
