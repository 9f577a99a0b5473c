using System.Buffers.Binary;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tap;

/// <summary>
/// The TAP's offloads (IFF_VNET_HDR, TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4), done in software on the way out: the host
/// hands over TCP/IPv4 frames of up to 64 KiB with a partial checksum and we cut them into MSS-sized frames with full
/// checksums, as a NIC would (Linux: net/ipv4/tcp_offload.c). The host's TCP then sends one frame where it sent ~50,
/// and every frame that crosses the overlay is an ordinary, complete IP packet.
/// </summary>
/// <remarks>
/// struct virtio_net_hdr (include/uapi/linux/virtio_net.h), 10 bytes, native (little) endian on a TAP: flags u8,
/// gso_type u8, hdr_len u16, gso_size u16, csum_start u16, csum_offset u16.
/// </remarks>
internal static class TapOffload
{
    public const int HeaderSize = 10;

    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset holds only the pseudo-header sum.</summary>
    public const byte NeedsChecksum = 1;

    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;

    /// <summary>VIRTIO_NET_HDR_GSO_ECN: a flag on the GSO type.</summary>
    public const byte GsoEcn = 0x80;

    private const int EthernetHeaderSize = 14;
    private const byte ProtocolTcp = 6;
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    /// <summary>Completes a partial checksum (NEEDS_CSUM): sums from <paramref name="start"/> to the end, field included.</summary>
    /// <returns>False when the offsets do not fit the frame.</returns>
    public static bool TryCompleteChecksum(Span<byte> frame, int start, int offset)
    {
        if (start < 0 || offset < 0 || (long)start + offset + 2 > frame.Length)
        {
            return false;
        }
        ushort checksum = InternetChecksum.Compute(frame[start..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(start + offset)..], checksum);
        return true;
    }

    /// <summary>Plans the segments of a TSO frame: Ethernet, IPv4 without fragments, TCP, <paramref name="segmentSize"/> > 0.</summary>
    public static bool TryPlanTcp4(ReadOnlySpan<byte> frame, int segmentSize, out TcpSegmentPlan plan)
    {
        plan = default;
        if (segmentSize <= 0 || frame.Length < EthernetHeaderSize + 20 + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
        {
            return false;
        }
        ReadOnlySpan<byte> ip = frame[EthernetHeaderSize..];
        int ipHeaderLength = (ip[0] & 0x0f) * 4;
        if ((ip[0] >> 4) != 4 || ipHeaderLength < 20 || ip[9] != ProtocolTcp || ip.Length < ipHeaderLength + 20)
        {
            return false;
        }
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        int tcpHeaderLength = (ip[ipHeaderLength + 12] >> 4) * 4;
        // A TSO frame may exceed 65,535 bytes in theory (BIG TCP); then total length is 0 and we do not take it.
        if (totalLength > ip.Length || tcpHeaderLength < 20 || totalLength < ipHeaderLength + tcpHeaderLength)
        {
            return false;
        }
        plan = new TcpSegmentPlan(EthernetHeaderSize, ipHeaderLength, tcpHeaderLength, totalLength - ipHeaderLength - tcpHeaderLength, segmentSize);
        return true;
    }

    /// <summary>Writes segment <paramref name="index"/> of <paramref name="frame"/> into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteSegment(ReadOnlySpan<byte> frame, in TcpSegmentPlan plan, int index, Span<byte> destination)
    {
        int offset = index * plan.SegmentSize;
        int chunk = Math.Min(plan.SegmentSize, plan.PayloadLength - offset);
        int headers = plan.HeaderLength;
        int length = headers + chunk;
        frame[..headers].CopyTo(destination);
        frame.Slice(headers + offset, chunk).CopyTo(destination[headers..]);

        Span<byte> ip = destination[plan.IpOffset..length];
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(plan.IpHeaderLength + plan.TcpHeaderLength + chunk));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], unchecked((ushort)(BinaryPrimitives.ReadUInt16BigEndian(ip[4..]) + index)));
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..plan.IpHeaderLength]));

        Span<byte> tcp = ip[plan.IpHeaderLength..];
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], unchecked(BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) + (uint)offset));
        bool last = offset + chunk >= plan.PayloadLength;
        if (!last)
        {
            tcp[13] &= unchecked((byte)~(TcpFin | TcpPsh));    // FIN and PSH belong to the last segment
        }
        if (index > 0)
        {
            tcp[13] &= unchecked((byte)~TcpCwr);               // CWR to the first
        }
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], 0);
        uint sum = InternetChecksum.Add(0, ip.Slice(12, 8));  // pseudo header: source, destination,
        sum += ProtocolTcp;                                     // zero and protocol,
        sum += (uint)(plan.TcpHeaderLength + chunk);            // TCP length
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], InternetChecksum.Finish(InternetChecksum.Add(sum, tcp)));
        return length;
    }
}
