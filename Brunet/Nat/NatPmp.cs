using System.Buffers.Binary;
using System.Net;

namespace Brunet.Nat;

/// <summary>NAT-PMP (RFC 6886) messages: pure codecs over spans, no sockets.</summary>
public static class NatPmp
{
    /// <summary>RFC 6886 §3.1: clients send to the gateway's port 5351.</summary>
    public const int ServerPort = 5351;

    /// <summary>Version 0 (§3.2).</summary>
    public const byte Version = 0;

    /// <summary>§3.2: version 0, opcode 0.</summary>
    public const int ExternalAddressRequestSize = 2;

    /// <summary>§3.2: version, opcode 128, result 2, epoch 4, address 4.</summary>
    public const int ExternalAddressResponseSize = 12;

    /// <summary>§3.3: version, opcode, reserved 2, internal port 2, suggested external port 2, lifetime 4.</summary>
    public const int MapRequestSize = 12;

    /// <summary>§3.3: version, opcode 128+op, result 2, epoch 4, internal port 2, external port 2, lifetime 4.</summary>
    public const int MapResponseSize = 16;

    /// <summary>Opcode 1 maps UDP, 2 maps TCP (§3.3).</summary>
    public static byte MapOpcode(MappingProtocol protocol) => protocol == MappingProtocol.Udp ? (byte)1 : (byte)2;

    public static int WriteExternalAddressRequest(Span<byte> destination)
    {
        destination[..ExternalAddressRequestSize].Clear();
        return ExternalAddressRequestSize;
    }

    /// <summary>A mapping request; lifetime 0 with external port 0 deletes the mapping (§3.4).</summary>
    public static int WriteMapRequest(Span<byte> destination, MappingProtocol protocol, ushort internalPort, ushort suggestedExternalPort, uint lifetimeSeconds)
    {
        Span<byte> d = destination[..MapRequestSize];
        d[0] = Version;
        d[1] = MapOpcode(protocol);
        d[2] = 0;
        d[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], suggestedExternalPort);
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], lifetimeSeconds);
        return MapRequestSize;
    }

    /// <summary>Reads an external-address response; false when short, of another version or opcode.</summary>
    public static bool TryReadExternalAddressResponse(ReadOnlySpan<byte> source, out NatPmpResultCode result, out uint epochSeconds, out IPAddress? external)
    {
        result = default;
        epochSeconds = 0;
        external = null;
        if (source.Length < ExternalAddressResponseSize || source[0] != Version || source[1] != 128)
        {
            return false;
        }
        result = (NatPmpResultCode)BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        epochSeconds = BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        external = new IPAddress(source.Slice(8, 4));
        return true;
    }

    /// <summary>Reads a mapping response for <paramref name="protocol"/>; false when short, of another version or opcode.</summary>
    public static bool TryReadMapResponse(ReadOnlySpan<byte> source, MappingProtocol protocol, out NatPmpMapResponse response)
    {
        response = default;
        if (source.Length < MapResponseSize || source[0] != Version || source[1] != 128 + MapOpcode(protocol))
        {
            return false;
        }
        response = new NatPmpMapResponse(
            (NatPmpResultCode)BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[10..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]));
        return true;
    }
}
