using System.Buffers.Binary;
using Brunet.Addressing;
using Brunet.Routing;

namespace Brunet.Messaging;

/// <summary>The header of a routed frame, after the <see cref="FrameType.Routed"/> byte.</summary>
public readonly record struct RoutedHeader(ushort Hops, ushort Ttl, RoutingMode Mode, Address Source, Address Destination)
{
    /// <summary>hops 2, ttl 2, mode 1, source 20, destination 20.</summary>
    public const int Size = 5 + (2 * Address.Size);

    /// <summary>Default hop limit: far above the ~log2 N hops of a healthy ring, low enough to stop a loop quickly.</summary>
    public const ushort DefaultTtl = 128;

    public static bool TryRead(ReadOnlySpan<byte> source, out RoutedHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return false;
        }
        byte mode = source[4];
        if (mode is < (byte)RoutingMode.Exact or > (byte)RoutingMode.Annealing)
        {
            return false;
        }
        header = new RoutedHeader(
            BinaryPrimitives.ReadUInt16BigEndian(source),
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            (RoutingMode)mode,
            Address.Read(source[5..]),
            Address.Read(source[(5 + Address.Size)..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Hops);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Ttl);
        destination[4] = (byte)Mode;
        Source.WriteTo(destination[5..]);
        Destination.WriteTo(destination[(5 + Address.Size)..]);
    }

    /// <summary>Increments the hop count in place in an encoded header (frame byte excluded).</summary>
    public static void IncrementHops(Span<byte> encodedHeader)
    {
        ushort hops = BinaryPrimitives.ReadUInt16BigEndian(encodedHeader);
        BinaryPrimitives.WriteUInt16BigEndian(encodedHeader, (ushort)(hops + 1));
    }
}
