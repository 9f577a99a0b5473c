using System.Net;
using System.Net.NetworkInformation;
using Ipop.Dhcp.Wire;

namespace Ipop.Dhcp.Server;

/// <summary>
/// A reply and where to send it, per RFC 2131 §4.1: from the server's address, port 67, to UDP port 68 of
/// <see cref="DestinationAddress"/> at Ethernet <see cref="DestinationMac"/>.
/// </summary>
/// <param name="Message">The reply, already padded to 300 bytes.</param>
/// <param name="DestinationAddress">255.255.255.255 when broadcast, else the client's (new or current) address.</param>
/// <param name="DestinationMac">ff:ff:ff:ff:ff:ff when broadcast, else the client's chaddr.</param>
public sealed record DhcpReply(DhcpMessage Message, IPAddress DestinationAddress, PhysicalAddress DestinationMac)
{
    public const ushort ServerPort = 67;
    public const ushort ClientPort = 68;

    public static PhysicalAddress BroadcastMac { get; } = new([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

    public bool IsBroadcast => DestinationAddress.Equals(IPAddress.Broadcast);
}
