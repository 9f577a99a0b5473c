namespace Ipop.Dht.PacketPath;

/// <summary>EtherType values the packet path looks at (IEEE 802 numbers).</summary>
internal static class EtherType
{
    public const ushort IPv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
    public const ushort IPv6 = 0x86dd;
}
