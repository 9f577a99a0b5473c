using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Ipop.Dhcp.Wire;

public sealed partial record DhcpMessage
{
    /// <summary>Option 53, or null when absent (a BOOTP message).</summary>
    public DhcpMessageType? MessageType => GetOption(DhcpOptionCode.MessageType) is { } data ? (DhcpMessageType)data.Span[0] : null;

    /// <summary>Option 1.</summary>
    public IPAddress? SubnetMask => GetAddress(DhcpOptionCode.SubnetMask);

    /// <summary>Option 3, in order of preference; empty when absent.</summary>
    public IReadOnlyList<IPAddress> Routers => GetAddresses(DhcpOptionCode.Router);

    /// <summary>Option 6, in order of preference; empty when absent.</summary>
    public IReadOnlyList<IPAddress> DnsServers => GetAddresses(DhcpOptionCode.DomainNameServer);

    /// <summary>Option 12. Non-ASCII bytes come through as Latin-1 characters; a trailing NUL (sent by some clients) is dropped.</summary>
    public string? HostName => GetText(DhcpOptionCode.HostName);

    /// <summary>Option 15.</summary>
    public string? DomainName => GetText(DhcpOptionCode.DomainName);

    /// <summary>Option 26, bytes; at least 68.</summary>
    public ushort? InterfaceMtu => GetUInt16(DhcpOptionCode.InterfaceMtu);

    /// <summary>Option 50.</summary>
    public IPAddress? RequestedIPAddress => GetAddress(DhcpOptionCode.RequestedIPAddress);

    /// <summary>Option 51, seconds (0xffffffff: infinite).</summary>
    public uint? LeaseTime => GetUInt32(DhcpOptionCode.LeaseTime);

    /// <summary>Option 54.</summary>
    public IPAddress? ServerIdentifier => GetAddress(DhcpOptionCode.ServerIdentifier);

    /// <summary>Option 55: the option codes the client asks for, in its order of preference.</summary>
    public ReadOnlyMemory<byte>? ParameterRequestList => GetOption(DhcpOptionCode.ParameterRequestList);

    /// <summary>Option 57, bytes; at least 576.</summary>
    public ushort? MaxMessageSize => GetUInt16(DhcpOptionCode.MaxMessageSize);

    /// <summary>Option 58 (T1), seconds.</summary>
    public uint? RenewalTime => GetUInt32(DhcpOptionCode.RenewalTime);

    /// <summary>Option 59 (T2), seconds.</summary>
    public uint? RebindingTime => GetUInt32(DhcpOptionCode.RebindingTime);

    /// <summary>Option 61: a type byte and an identifier (RFC 2132 §9.14).</summary>
    public ReadOnlyMemory<byte>? ClientIdentifier => GetOption(DhcpOptionCode.ClientIdentifier);

    /// <summary>
    /// The data of option <paramref name="code"/>, or null when absent. Several instances of one code are joined in
    /// order, as RFC 3396 §6 (long options) says a reader must.
    /// </summary>
    public ReadOnlyMemory<byte>? GetOption(byte code)
    {
        ReadOnlyMemory<byte>? found = null;
        List<byte>? joined = null;
        foreach (DhcpOption option in Options)
        {
            if (option.Code != code || code == DhcpOptionCode.Pad)
            {
                continue;
            }
            if (found is null)
            {
                found = option.Data;
                continue;
            }
            joined ??= [.. found.Value.Span];
            joined.AddRange(option.Data.Span);
        }
        return joined is null ? found : joined.ToArray();
    }

    /// <summary>Checks the size and range of every option this codec knows by type, so its accessors cannot fail.</summary>
    private void Validate()
    {
        foreach (byte code in Options.Select(o => o.Code).Where(c => c != DhcpOptionCode.Pad).Distinct())
        {
            ReadOnlySpan<byte> data = GetOption(code)!.Value.Span;
            switch (code)
            {
                case DhcpOptionCode.MessageType:
                    Require(code, data.Length == 1, "1 byte", data.Length);
                    if (data[0] is < (byte)DhcpMessageType.Discover or > (byte)DhcpMessageType.Inform)
                    {
                        throw new DhcpFormatException($"Option 53 (message type) must be 1-8, got {data[0]}.");
                    }
                    break;
                case DhcpOptionCode.SubnetMask or DhcpOptionCode.RequestedIPAddress or DhcpOptionCode.ServerIdentifier
                    or DhcpOptionCode.LeaseTime or DhcpOptionCode.RenewalTime or DhcpOptionCode.RebindingTime:
                    Require(code, data.Length == 4, "4 bytes", data.Length);
                    break;
                case DhcpOptionCode.Router or DhcpOptionCode.DomainNameServer:
                    Require(code, data.Length >= 4 && data.Length % 4 == 0, "a multiple of 4 bytes, at least 4", data.Length);
                    break;
                case DhcpOptionCode.InterfaceMtu:
                    Require(code, data.Length == 2, "2 bytes", data.Length);
                    Require(code, BinaryPrimitives.ReadUInt16BigEndian(data) >= 68, "an MTU of at least 68", BinaryPrimitives.ReadUInt16BigEndian(data));
                    break;
                case DhcpOptionCode.MaxMessageSize:
                    Require(code, data.Length == 2, "2 bytes", data.Length);
                    Require(code, BinaryPrimitives.ReadUInt16BigEndian(data) >= 576, "a size of at least 576", BinaryPrimitives.ReadUInt16BigEndian(data));
                    break;
                case DhcpOptionCode.HostName or DhcpOptionCode.DomainName or DhcpOptionCode.ParameterRequestList:
                    Require(code, data.Length >= 1, "at least 1 byte", data.Length);
                    break;
                case DhcpOptionCode.ClientIdentifier:
                    Require(code, data.Length >= 2, "at least 2 bytes", data.Length);
                    break;
                default:
                    break;      // unknown options are opaque and kept as they are
            }
        }
    }

    private static void Require(byte code, bool condition, string expected, int got)
    {
        if (!condition)
        {
            throw new DhcpFormatException($"Option {code} must be {expected}, got {got}.");
        }
    }

    private IPAddress? GetAddress(byte code) => GetOption(code) is { } data ? new IPAddress(data.Span[..4]) : null;

    private List<IPAddress> GetAddresses(byte code)
    {
        List<IPAddress> addresses = [];
        if (GetOption(code) is { } data)
        {
            for (int offset = 0; offset + 4 <= data.Length; offset += 4)
            {
                addresses.Add(new IPAddress(data.Span.Slice(offset, 4)));
            }
        }
        return addresses;
    }

    private uint? GetUInt32(byte code) => GetOption(code) is { } data ? BinaryPrimitives.ReadUInt32BigEndian(data.Span) : null;

    private ushort? GetUInt16(byte code) => GetOption(code) is { } data ? BinaryPrimitives.ReadUInt16BigEndian(data.Span) : null;

    private string? GetText(byte code)
    {
        if (GetOption(code) is not { } data)
        {
            return null;
        }
        ReadOnlySpan<byte> bytes = data.Span;
        int end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }
        return Encoding.Latin1.GetString(bytes[..end]);
    }
}
