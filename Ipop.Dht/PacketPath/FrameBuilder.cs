using System.Net;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// Writes Ethernet + IPv4 + UDP frames for the TAP into a caller's buffer, checksums included, without allocating.
/// The payload goes first (at <see cref="UdpPayloadOffset"/>), then <see cref="WriteUdpHeaders"/> wraps it.
/// </summary>
internal static class FrameBuilder
{
    /// <summary>Where the UDP payload starts in a frame: after Ethernet (14), IPv4 (20) and UDP (8) headers.</summary>
    public const int UdpPayloadOffset = EthernetHeader.Size + Ipv4Header.MinSize + UdpHeader.Size;

    /// <summary>TTL of frames the node makes up itself (DHCP, DNS answers).</summary>
    public const byte DefaultTtl = 64;

    /// <summary>
    /// Fills in the Ethernet, IPv4 and UDP headers in front of a payload of <paramref name="payloadLength"/> bytes
    /// already at <see cref="UdpPayloadOffset"/> in <paramref name="frame"/>. Returns the frame's length.
    /// </summary>
    public static int WriteUdpHeaders(
        Span<byte> frame,
        MacAddress destinationMac,
        MacAddress sourceMac,
        uint sourceIp,
        uint destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        int payloadLength)
    {
        int udpLength = UdpHeader.Size + payloadLength;
        int ipLength = Ipv4Header.MinSize + udpLength;
        if (payloadLength < 0 || ipLength > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "The IPv4 packet would exceed 65535 bytes.");
        }
        int frameLength = EthernetHeader.Size + ipLength;
        if (frame.Length < frameLength)
        {
            throw new ArgumentException($"Need {frameLength} bytes, got {frame.Length}.", nameof(frame));
        }

        new EthernetHeader(destinationMac, sourceMac, EtherType.IPv4).WriteTo(frame);
        Span<byte> ip = frame[EthernetHeader.Size..frameLength];
        new Ipv4Header(0, (ushort)ipLength, 0, 0, DefaultTtl, Ipv4Header.ProtocolUdp, 0, sourceIp, destinationIp).WriteWithChecksum(ip);
        Span<byte> udp = ip[Ipv4Header.MinSize..];
        new UdpHeader(sourcePort, destinationPort, (ushort)udpLength, 0).WriteTo(udp);
        ushort checksum = UdpHeader.ComputeChecksum(sourceIp, destinationIp, udp);
        new UdpHeader(sourcePort, destinationPort, (ushort)udpLength, checksum).WriteTo(udp);
        return frameLength;
    }

    /// <summary>
    /// Writes a DHCP reply as the TAP's host should receive it: from <paramref name="serverIp"/>:67 and
    /// <paramref name="gatewayMac"/> to the reply's destination (broadcast or unicast) at port 68.
    /// </summary>
    public static int WriteDhcpReply(Span<byte> frame, DhcpReply reply, MacAddress gatewayMac, IPAddress serverIp)
    {
        ArgumentNullException.ThrowIfNull(reply);
        int payloadLength = reply.Message.GetEncodedLength();
        if (frame.Length < UdpPayloadOffset + payloadLength)
        {
            throw new ArgumentException($"Need {UdpPayloadOffset + payloadLength} bytes, got {frame.Length}.", nameof(frame));
        }
        reply.Message.WriteTo(frame[UdpPayloadOffset..]);
        return WriteUdpHeaders(
            frame,
            MacAddress.FromPhysicalAddress(reply.DestinationMac),
            gatewayMac,
            Ipv4Math.ToUInt32(serverIp),
            Ipv4Math.ToUInt32(reply.DestinationAddress),
            DhcpReply.ServerPort,
            DhcpReply.ClientPort,
            payloadLength);
    }
}
