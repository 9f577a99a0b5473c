namespace Ipop.Dht.PacketPath;

/// <summary>
/// Answers the host's ARP requests for the virtual subnet with the virtual gateway's MAC, so that every frame for
/// another VPN member (or the gateway) comes to the TAP, where the node carries it over the overlay. Pure: a request
/// frame in, a reply frame out.
/// </summary>
/// <remarks>
/// Not answered: requests for addresses outside the subnet, its network or broadcast address; ARP probes (sender IP
/// 0.0.0.0, RFC 5227 §2.1.1), since answering the host's probe for its own new address would make it DECLINE the
/// lease; and announcements (sender IP equal to target IP, RFC 5227 §2.3).
/// </remarks>
internal sealed class ArpResponder
{
    /// <summary>The reply frame: Ethernet header and ARP packet, no padding (a TAP needs none).</summary>
    public const int ReplySize = EthernetHeader.Size + ArpPacket.Size;

    private readonly MacAddress _gatewayMac;
    private readonly uint _network;
    private readonly uint _netmask;

    /// <param name="gatewayMac">Usually <see cref="MacAddress.VirtualGateway"/>.</param>
    /// <param name="network">The subnet's network address as a number.</param>
    /// <param name="netmask">The subnet's netmask as a number.</param>
    public ArpResponder(MacAddress gatewayMac, uint network, uint netmask)
    {
        if ((network & ~netmask) != 0)
        {
            throw new ArgumentException("The network address has host bits set.", nameof(network));
        }
        _gatewayMac = gatewayMac;
        _network = network;
        _netmask = netmask;
    }

    /// <summary>
    /// If <paramref name="frame"/> is an ARP request we answer, writes the reply into <paramref name="reply"/> (at
    /// least <see cref="ReplySize"/> bytes) and returns true.
    /// </summary>
    public bool TryBuildReply(ReadOnlySpan<byte> frame, Span<byte> reply, out int written)
    {
        written = 0;
        if (!EthernetHeader.TryRead(frame, out EthernetHeader ethernet)
            || ethernet.EtherType != EtherType.Arp
            || !ArpPacket.TryRead(frame[EthernetHeader.Size..], out ArpPacket request)
            || request.Operation != ArpPacket.Request
            || request.SenderIp == 0
            || request.SenderIp == request.TargetIp
            || (request.TargetIp & _netmask) != _network
            || request.TargetIp == _network
            || request.TargetIp == (_network | ~_netmask)
            || request.SenderMac.IsMulticast)
        {
            return false;
        }
        if (reply.Length < ReplySize)
        {
            throw new ArgumentException($"Need {ReplySize} bytes for the reply, got {reply.Length}.", nameof(reply));
        }
        new EthernetHeader(request.SenderMac, _gatewayMac, EtherType.Arp).WriteTo(reply);
        new ArpPacket(ArpPacket.Reply, _gatewayMac, request.TargetIp, request.SenderMac, request.SenderIp).WriteTo(reply[EthernetHeader.Size..]);
        written = ReplySize;
        return true;
    }
}
