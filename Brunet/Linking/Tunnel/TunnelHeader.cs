using System.Buffers.Binary;
using Brunet.Addressing;

namespace Brunet.Linking.Tunnel;

/// <summary>What a tunnel packet asks of the node that receives it. On the wire: never renumber.</summary>
public enum TunnelOp : byte
{
    /// <summary>From the origin to a forwarder: pass this on to the final node.</summary>
    Forward = 1,

    /// <summary>From the forwarder to the final node: this is for one of your tunnel edges.</summary>
    Deliver = 2,
}

/// <summary>
/// The header of a relay-edge datagram, after the <see cref="Messaging.PayloadType.Tunnel"/> byte. The datagram after
/// it is an end-to-end secure-edge packet: the forwarder sees only ciphertext.
/// </summary>
public readonly record struct TunnelHeader(TunnelOp Op, Address Origin, Address Final, uint EdgeId, bool FromInitiator)
{
    /// <summary>op 1, origin 20, final 20, edge id 4, flags 1.</summary>
    public const int Size = 2 + (2 * Address.Size) + 4;

    public static bool TryRead(ReadOnlySpan<byte> source, out TunnelHeader header)
    {
        header = default;
        if (source.Length < Size || source[0] is not ((byte)TunnelOp.Forward or (byte)TunnelOp.Deliver) || source[Size - 1] > 1)
        {
            return false;
        }
        header = new TunnelHeader(
            (TunnelOp)source[0],
            Address.Read(source[1..]),
            Address.Read(source[(1 + Address.Size)..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[(1 + (2 * Address.Size))..]),
            source[Size - 1] == 1);
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = (byte)Op;
        Origin.WriteTo(destination[1..]);
        Final.WriteTo(destination[(1 + Address.Size)..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(1 + (2 * Address.Size))..], EdgeId);
        destination[Size - 1] = FromInitiator ? (byte)1 : (byte)0;
    }
}
