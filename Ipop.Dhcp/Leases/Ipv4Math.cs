using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Ipop.Dhcp.Leases;

/// <summary>IPv4 addresses as 32-bit numbers (a.b.c.d is a&lt;&lt;24 | b&lt;&lt;16 | c&lt;&lt;8 | d) and netmask arithmetic.</summary>
public static class Ipv4Math
{
    /// <exception cref="ArgumentException"><paramref name="address"/> is not IPv4.</exception>
    public static uint ToUInt32(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"Expected an IPv4 address, got {address}.", nameof(address));
        }
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>The prefix length of a contiguous netmask (255.255.0.0 is 16), or -1 when the ones are not contiguous.</summary>
    public static int PrefixLength(uint netmask)
    {
        int ones = BitOperations.PopCount(netmask);
        uint expected = ones == 0 ? 0 : uint.MaxValue << (32 - ones);
        return netmask == expected ? ones : -1;
    }

    public static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
}
