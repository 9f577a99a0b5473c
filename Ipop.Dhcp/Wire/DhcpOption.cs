using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ipop.Dhcp.Wire;

/// <summary>
/// One option as it sits in the message: its code and its data (at most 255 bytes). A <see cref="DhcpOptionCode.Pad"/>
/// option has no data and is written as the single byte 0; it is kept so a parsed message writes back byte for byte.
/// </summary>
public readonly record struct DhcpOption
{
    public const int MaxDataLength = 255;

    public DhcpOption(byte code, ReadOnlyMemory<byte> data)
    {
        if (code == DhcpOptionCode.End)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "END is not an option in the list; the writer adds it.");
        }
        if (code == DhcpOptionCode.Pad && !data.IsEmpty)
        {
            throw new ArgumentException("A PAD option has no data.", nameof(data));
        }
        if (data.Length > MaxDataLength)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "Option data is at most 255 bytes.");
        }
        Code = code;
        Data = data;
    }

    public byte Code { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Bytes this option takes in a message: 1 for PAD, else code, length and data.</summary>
    public int EncodedLength => Code == DhcpOptionCode.Pad ? 1 : 2 + Data.Length;

    public static DhcpOption Pad => new(DhcpOptionCode.Pad, ReadOnlyMemory<byte>.Empty);

    public static DhcpOption FromMessageType(DhcpMessageType type) => new(DhcpOptionCode.MessageType, new[] { (byte)type });

    public static DhcpOption FromAddress(byte code, IPAddress address) => new(code, AddressBytes(address));

    public static DhcpOption FromAddresses(byte code, IReadOnlyList<IPAddress> addresses)
    {
        byte[] data = new byte[4 * addresses.Count];
        for (int i = 0; i < addresses.Count; i++)
        {
            AddressBytes(addresses[i]).CopyTo(data, 4 * i);
        }
        return new(code, data);
    }

    public static DhcpOption FromUInt32(byte code, uint value)
    {
        byte[] data = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(data, value);
        return new(code, data);
    }

    public static DhcpOption FromUInt16(byte code, ushort value)
    {
        byte[] data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, value);
        return new(code, data);
    }

    /// <summary>A text option (host name, domain name): ASCII, 1-255 characters.</summary>
    public static DhcpOption FromAscii(byte code, string text)
    {
        if (text.Length == 0 || !Ascii.IsValid(text))
        {
            throw new ArgumentException("Expected 1-255 ASCII characters.", nameof(text));
        }
        return new(code, Encoding.ASCII.GetBytes(text));
    }

    internal static byte[] AddressBytes(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"Expected an IPv4 address, got {address}.", nameof(address));
        }
        return address.GetAddressBytes();
    }
}
