using System.Buffers.Binary;
using System.Net;

namespace Brunet.Nat;

/// <summary>Port Control Protocol (RFC 6887) MAP messages: pure codecs over spans, no sockets.</summary>
public static class Pcp
{
    /// <summary>RFC 6887 §19.1: the same server port as NAT-PMP.</summary>
    public const int ServerPort = 5351;

    public const byte Version = 2;

    /// <summary>§19.2: the MAP opcode.</summary>
    public const byte OpcodeMap = 1;

    /// <summary>§7.1 common request header: version, R|opcode, reserved 2, lifetime 4, client IP 16.</summary>
    public const int HeaderSize = 24;

    /// <summary>§11.1 MAP body: nonce 12, protocol 1, reserved 3, internal port 2, external port 2, external IP 16.</summary>
    public const int MapBodySize = 36;

    public const int MapMessageSize = HeaderSize + MapBodySize;

    public const int NonceSize = 12;

    /// <summary>IANA protocol numbers (§11.1).</summary>
    public static byte ProtocolNumber(MappingProtocol protocol) => protocol == MappingProtocol.Udp ? (byte)17 : (byte)6;

    /// <summary>
    /// A MAP request. <paramref name="suggestedExternal"/> may be null (all zeros: no preference). Lifetime 0 deletes
    /// the mapping with that nonce (§15). IPv4 addresses travel as IPv4-mapped IPv6 (§5).
    /// </summary>
    public static int WriteMapRequest(
        Span<byte> destination, ReadOnlySpan<byte> nonce, MappingProtocol protocol, ushort internalPort,
        IPAddress clientAddress, ushort suggestedExternalPort, IPAddress? suggestedExternal, uint lifetimeSeconds)
    {
        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"a PCP nonce is {NonceSize} bytes", nameof(nonce));
        }
        Span<byte> d = destination[..MapMessageSize];
        d.Clear();
        d[0] = Version;
        d[1] = OpcodeMap;   // R = 0: a request
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], lifetimeSeconds);
        WriteAddress(d.Slice(8, 16), clientAddress);
        Span<byte> body = d[HeaderSize..];
        nonce.CopyTo(body);
        body[12] = ProtocolNumber(protocol);
        BinaryPrimitives.WriteUInt16BigEndian(body[16..], internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(body[18..], suggestedExternalPort);
        if (suggestedExternal is not null)
        {
            WriteAddress(body.Slice(20, 16), suggestedExternal);
        }
        return MapMessageSize;
    }

    /// <summary>
    /// Reads a MAP response. False when short, not a MAP response, or of another version; a server that speaks only
    /// NAT-PMP answers a PCP request with a version-0 "unsupported version" (§9), which reads as false here.
    /// </summary>
    public static bool TryReadMapResponse(ReadOnlySpan<byte> source, out PcpMapResponse response)
    {
        response = default;
        if (source.Length < MapMessageSize || source[0] != Version || source[1] != (0x80 | OpcodeMap))
        {
            return false;
        }
        ReadOnlySpan<byte> body = source[HeaderSize..];
        response = new PcpMapResponse(
            (PcpResultCode)source[3],
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            body[..NonceSize].ToArray(),
            body[12],
            BinaryPrimitives.ReadUInt16BigEndian(body[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(body[18..]),
            ReadAddress(body.Slice(20, 16)));
        return true;
    }

    private static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        IPAddress v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        if (!v6.TryWriteBytes(destination, out int written) || written != 16)
        {
            throw new ArgumentException("not an IPv4 or IPv6 address", nameof(address));
        }
    }

    private static IPAddress ReadAddress(ReadOnlySpan<byte> source)
    {
        var address = new IPAddress(source);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
