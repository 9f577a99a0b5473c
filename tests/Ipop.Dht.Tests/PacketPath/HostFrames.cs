using System.Net;
using Ipop.Dhcp.Leases;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

/// <summary>Frames a host sends on its TAP, for the packet path's tests.</summary>
internal static class HostFrames
{
    /// <summary>An ARP request from <paramref name="host"/> (at <paramref name="sender"/>) for <paramref name="target"/>.</summary>
    public static byte[] ArpRequest(MacAddress host, IPAddress sender, IPAddress target)
    {
        byte[] frame = new byte[ArpResponder.ReplySize];
        new EthernetHeader(MacAddress.Broadcast, host, EtherType.Arp).WriteTo(frame);
        new ArpPacket(ArpPacket.Request, host, Ipv4Math.ToUInt32(sender), new MacAddress(0), Ipv4Math.ToUInt32(target)).WriteTo(frame.AsSpan(14));
        return frame;
    }
}
