using System.Buffers.Binary;
using System.Globalization;
using System.Net.NetworkInformation;

namespace Ipop.Dht.PacketPath;

/// <summary>A 48-bit Ethernet address as a number (the first octet in bits 47..40).</summary>
internal readonly record struct MacAddress(ulong Value)
{
    public const int Size = 6;

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(0xffff_ffff_ffff);

    /// <summary>
    /// fe:fd:00:00:00:01, the MAC of the virtual gateway that every node answers ARP with for the whole virtual
    /// subnet, so the host sends every VPN frame to the TAP. The first octet 0xfe has the locally administered bit
    /// (0x02) set and the group bit (0x01) clear: a unicast address no vendor assigns. It never leaves the TAP, so
    /// every node may use the same one. (IPOP used the fe:fd prefix for its TAP peers too.)
    /// </summary>
    public static MacAddress VirtualGateway { get; } = new(0xfefd_0000_0001);

    public bool IsBroadcast => Value == Broadcast.Value;

    /// <summary>The group bit: broadcast and multicast destinations.</summary>
    public bool IsMulticast => (Value & 0x0100_0000_0000) != 0;

    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));

    public static MacAddress FromPhysicalAddress(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte[] bytes = address.GetAddressBytes();
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"Expected a 6-byte MAC, got {bytes.Length} bytes.", nameof(address));
        }
        return Read(bytes);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
    }

    public PhysicalAddress ToPhysicalAddress()
    {
        byte[] bytes = new byte[Size];
        WriteTo(bytes);
        return new PhysicalAddress(bytes);
    }

    /// <summary>Lower-case, colon-separated: <c>fe:fd:00:00:00:01</c>.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
