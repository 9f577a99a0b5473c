using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace Ipop.Dhcp.Wire;

/// <summary>
/// A DHCP message (RFC 2131 §2, options RFC 2132): the fixed BOOTP fields, the magic cookie, the options in their
/// order (PAD included) and whatever follows the END option. <see cref="Parse"/> then <see cref="ToArray"/> gives the
/// same bytes back, so unknown options pass through untouched.
/// </summary>
/// <remarks>
/// Bytes after END are accepted and kept in <see cref="Trailer"/>: RFC 2131 §2 and RFC 1542 §2.1 have clients pad a
/// message to at least 300 octets (BOOTP relays drop shorter ones), and RFC 2131 §4.1 says the options field is
/// "variable", so real clients (ISC dhclient, busybox udhcpc) send zeros after END. A reader ignores them.
/// Option overload (option 52, options in sname/file) is refused with a <see cref="DhcpFormatException"/>: no client
/// sends it to a server, and our replies are small.
/// </remarks>
public sealed partial record DhcpMessage
{
    /// <summary>Bytes before the options: op..file (236) and the magic cookie (4).</summary>
    public const int HeaderSize = 240;

    /// <summary>The smallest message: the header and a single END option.</summary>
    public const int MinimumSize = HeaderSize + 1;

    /// <summary>RFC 1542 §2.1: a BOOTP message is at least 300 octets; our replies are padded to this size.</summary>
    public const int BootpMinimumSize = 300;

    /// <summary>The largest UDP payload over IPv4 (65535 - 20 - 8); longer input is refused before it is read.</summary>
    public const int MaxSize = 65507;

    /// <summary>RFC 2131 §3: 99.130.83.99, the first four octets of the options field.</summary>
    public const uint MagicCookie = 0x63825363;

    public const int ClientHardwareAddressSize = 16;
    public const int ServerNameSize = 64;
    public const int BootFileSize = 128;

    /// <summary>Bit 15 of <see cref="Flags"/> (RFC 2131 §2, figure 2): the client cannot take unicast before it has an address.</summary>
    public const ushort BroadcastFlag = 0x8000;

    /// <summary>htype for Ethernet (RFC 1700, ARP hardware types).</summary>
    public const byte EthernetHardwareType = 1;

    private const int CookieOffset = 236;

    public BootpOpcode Op { get; init; } = BootpOpcode.BootRequest;

    public byte HardwareType { get; init; } = EthernetHardwareType;

    /// <summary>hlen: how many bytes of <see cref="ClientHardwareAddress"/> are the address (6 for Ethernet, at most 16).</summary>
    public byte HardwareAddressLength { get; init; } = 6;

    public byte Hops { get; init; }

    /// <summary>xid: chosen by the client, echoed by the server.</summary>
    public uint TransactionId { get; init; }

    /// <summary>secs: seconds since the client began acquiring or renewing.</summary>
    public ushort Seconds { get; init; }

    public ushort Flags { get; init; }

    /// <summary>ciaddr: the client's address when it already has one (BOUND, RENEWING, REBINDING, INFORM).</summary>
    public IPAddress ClientAddress { get; init; } = IPAddress.Any;

    /// <summary>yiaddr: the address the server offers or assigns.</summary>
    public IPAddress YourAddress { get; init; } = IPAddress.Any;

    /// <summary>siaddr: the next server in bootstrap (TFTP); 0 here.</summary>
    public IPAddress ServerAddress { get; init; } = IPAddress.Any;

    /// <summary>giaddr: the relay agent's address, 0 when no relay is involved (always so on a TAP).</summary>
    public IPAddress RelayAddress { get; init; } = IPAddress.Any;

    /// <summary>chaddr: 16 bytes, the first <see cref="HardwareAddressLength"/> are the client's hardware address.</summary>
    public ReadOnlyMemory<byte> ClientHardwareAddress { get; init; } = new byte[ClientHardwareAddressSize];

    /// <summary>sname: 64 bytes, kept as received.</summary>
    public ReadOnlyMemory<byte> ServerName { get; init; } = new byte[ServerNameSize];

    /// <summary>file: 128 bytes, kept as received.</summary>
    public ReadOnlyMemory<byte> BootFile { get; init; } = new byte[BootFileSize];

    /// <summary>The options in wire order, PAD options included; END is not in the list (the writer adds it).</summary>
    public IReadOnlyList<DhcpOption> Options { get; init; } = [];

    /// <summary>Bytes after END, usually zero padding up to 300 octets. Written back as they are.</summary>
    public ReadOnlyMemory<byte> Trailer { get; init; } = ReadOnlyMemory<byte>.Empty;

    public bool IsBroadcast => (Flags & BroadcastFlag) != 0;

    /// <summary>The client's MAC when htype is Ethernet and hlen is 6, else null.</summary>
    public PhysicalAddress? ClientMac => HardwareType == EthernetHardwareType && HardwareAddressLength == 6
        ? new PhysicalAddress(ClientHardwareAddress.Span[..6].ToArray())
        : null;

    /// <summary>Parses one DHCP message (the whole UDP payload).</summary>
    /// <exception cref="DhcpFormatException">The input is not a well-formed DHCP message.</exception>
    public static DhcpMessage Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < MinimumSize)
        {
            throw new DhcpFormatException($"A DHCP message is at least {MinimumSize} bytes, got {source.Length}.");
        }
        if (source.Length > MaxSize)
        {
            throw new DhcpFormatException($"A DHCP message is at most {MaxSize} bytes, got {source.Length}.");
        }
        byte op = source[0];
        if (op is not ((byte)BootpOpcode.BootRequest or (byte)BootpOpcode.BootReply))
        {
            throw new DhcpFormatException($"op must be 1 (BOOTREQUEST) or 2 (BOOTREPLY), got {op}.");
        }
        byte hlen = source[2];
        if (hlen > ClientHardwareAddressSize)
        {
            throw new DhcpFormatException($"hlen must be at most {ClientHardwareAddressSize}, got {hlen}.");
        }
        uint cookie = BinaryPrimitives.ReadUInt32BigEndian(source[CookieOffset..]);
        if (cookie != MagicCookie)
        {
            throw new DhcpFormatException($"Bad magic cookie 0x{cookie:x8}: expected 99.130.83.99 (a BOOTP-only message is not DHCP).");
        }

        // One copy of the input; every byte field and option below is a slice of it.
        byte[] copy = source.ToArray();
        List<DhcpOption> options = [];
        int position = HeaderSize;
        while (true)
        {
            if (position >= copy.Length)
            {
                throw new DhcpFormatException("The options end without an END (255) option.");
            }
            byte code = copy[position];
            if (code == DhcpOptionCode.End)
            {
                position++;
                break;
            }
            if (code == DhcpOptionCode.Pad)
            {
                options.Add(DhcpOption.Pad);
                position++;
                continue;
            }
            if (position + 1 >= copy.Length)
            {
                throw new DhcpFormatException($"Option {code} at offset {position} has no length byte.");
            }
            int length = copy[position + 1];
            if (position + 2 + length > copy.Length)
            {
                throw new DhcpFormatException($"Option {code} at offset {position} says {length} bytes, only {copy.Length - position - 2} remain.");
            }
            if (code == DhcpOptionCode.OptionOverload)
            {
                throw new DhcpFormatException("Option overload (52) is not supported.");
            }
            options.Add(new DhcpOption(code, copy.AsMemory(position + 2, length)));
            position += 2 + length;
        }

        DhcpMessage message = new()
        {
            Op = (BootpOpcode)op,
            HardwareType = copy[1],
            HardwareAddressLength = hlen,
            Hops = copy[3],
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(4)),
            Seconds = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(8)),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(10)),
            ClientAddress = ReadAddress(copy, 12),
            YourAddress = ReadAddress(copy, 16),
            ServerAddress = ReadAddress(copy, 20),
            RelayAddress = ReadAddress(copy, 24),
            ClientHardwareAddress = copy.AsMemory(28, ClientHardwareAddressSize),
            ServerName = copy.AsMemory(44, ServerNameSize),
            BootFile = copy.AsMemory(108, BootFileSize),
            Options = options,
            Trailer = copy.AsMemory(position),
        };
        message.Validate();
        return message;
    }

    /// <summary>The size <see cref="WriteTo"/> needs: header, options, END and trailer.</summary>
    public int GetEncodedLength()
    {
        int length = HeaderSize + 1 + Trailer.Length;
        foreach (DhcpOption option in Options)
        {
            length += option.EncodedLength;
        }
        return length;
    }

    /// <summary>Writes the message into <paramref name="destination"/> and returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="GetEncodedLength"/>, or a field has the wrong size.</exception>
    public int WriteTo(Span<byte> destination)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Need {length} bytes, got {destination.Length}.", nameof(destination));
        }
        CheckSize(ClientHardwareAddress, ClientHardwareAddressSize, nameof(ClientHardwareAddress));
        CheckSize(ServerName, ServerNameSize, nameof(ServerName));
        CheckSize(BootFile, BootFileSize, nameof(BootFile));

        destination[0] = (byte)Op;
        destination[1] = HardwareType;
        destination[2] = HardwareAddressLength;
        destination[3] = Hops;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], Flags);
        WriteAddress(destination[12..], ClientAddress);
        WriteAddress(destination[16..], YourAddress);
        WriteAddress(destination[20..], ServerAddress);
        WriteAddress(destination[24..], RelayAddress);
        ClientHardwareAddress.Span.CopyTo(destination[28..]);
        ServerName.Span.CopyTo(destination[44..]);
        BootFile.Span.CopyTo(destination[108..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[CookieOffset..], MagicCookie);

        int position = HeaderSize;
        foreach (DhcpOption option in Options)
        {
            destination[position++] = option.Code;
            if (option.Code == DhcpOptionCode.Pad)
            {
                continue;
            }
            destination[position++] = (byte)option.Data.Length;
            option.Data.Span.CopyTo(destination[position..]);
            position += option.Data.Length;
        }
        destination[position++] = DhcpOptionCode.End;
        Trailer.Span.CopyTo(destination[position..]);
        return position + Trailer.Length;
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[GetEncodedLength()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>This message with zeros after END so that it is at least <see cref="BootpMinimumSize"/> bytes.</summary>
    public DhcpMessage PadToBootpMinimum()
    {
        int length = GetEncodedLength();
        return length >= BootpMinimumSize
            ? this
            : this with { Trailer = new byte[Trailer.Length + BootpMinimumSize - length] };
    }

    /// <summary>The text form of <see cref="Op"/> and <see cref="MessageType"/> and xid, for logs.</summary>
    public override string ToString() =>
        new StringBuilder().Append("DHCP ").Append(MessageType?.ToString() ?? Op.ToString())
            .Append(" xid=0x").Append(TransactionId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).ToString();

    private static IPAddress ReadAddress(byte[] source, int offset)
    {
        ReadOnlySpan<byte> bytes = source.AsSpan(offset, 4);
        return bytes.IndexOfAnyExcept((byte)0) < 0 ? IPAddress.Any : new IPAddress(bytes);
    }

    private static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        if (!address.TryWriteBytes(destination[..4], out int written) || written != 4)
        {
            throw new ArgumentException($"Expected an IPv4 address, got {address}.", nameof(address));
        }
    }

    private static void CheckSize(ReadOnlyMemory<byte> field, int size, string name)
    {
        if (field.Length != size)
        {
            throw new ArgumentException($"{name} must be {size} bytes, got {field.Length}.", name);
        }
    }
}
