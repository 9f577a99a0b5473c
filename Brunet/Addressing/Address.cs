using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;

namespace Brunet.Addressing;

/// <summary>
/// A 160-bit position on the ring: the high 128 bits and the low 32. Arithmetic wraps mod 2^160; the byte form is
/// unsigned, most significant byte first. Brunet's class bits: a node address is class 0 (its lowest bit is 0).
/// </summary>
public readonly record struct Address(UInt128 High, uint Low) : IComparable<Address>, IComparisonOperators<Address, Address, bool>
{
    /// <summary>Bytes in the wire form.</summary>
    public const int Size = 20;

    /// <summary>Bits in an address.</summary>
    public const int Bits = 160;

    /// <summary>The text form's prefix (CONTRACT.md).</summary>
    public const string TextPrefix = "brunet:node:";

    public static Address Zero => default;

    /// <summary>2^160 − 1, the largest address.</summary>
    public static Address MaxValue => new(UInt128.MaxValue, uint.MaxValue);

    /// <summary>2^159: half the ring, the largest distance two addresses can be apart either way.</summary>
    public static Address Half => new(UInt128.One << 127, 0);

    /// <summary>True when this is a node address (Brunet class 0: the lowest bit is clear).</summary>
    public bool IsNodeAddress => (Low & 1) == 0;

    public static Address Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"An address needs {Size} bytes, got {source.Length}.", nameof(source));
        }
        return new(BinaryPrimitives.ReadUInt128BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[16..]));
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128BigEndian(destination, High);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], Low);
    }

    public byte[] ToBytes()
    {
        byte[] bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>A node address from a hash: the first 20 bytes of SHA-256 with the class bit cleared.</summary>
    public static Address FromHash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return Read(digest).AsNodeAddress();
    }

    /// <summary>This address with its class bit cleared (class 0, a node address).</summary>
    public Address AsNodeAddress() => new(High, Low & ~1u);

    /// <summary>A uniformly random node address.</summary>
    public static Address Random(Random random)
    {
        Span<byte> bytes = stackalloc byte[Size];
        random.NextBytes(bytes);
        return Read(bytes).AsNodeAddress();
    }

    public static Address operator +(Address a, Address b)
    {
        uint low = unchecked(a.Low + b.Low);
        UInt128 carry = low < a.Low ? UInt128.One : UInt128.Zero;
        return new(unchecked(a.High + b.High + carry), low);
    }

    public static Address operator -(Address a, Address b) => b.ClockwiseDistanceTo(a);

    /// <summary>Walks clockwise (upwards, wrapping) from this address to <paramref name="other"/>.</summary>
    public Address ClockwiseDistanceTo(Address other) => new(
        unchecked(other.High - High - (other.Low < Low ? UInt128.One : UInt128.Zero)), unchecked(other.Low - Low));

    /// <summary>Walks counter-clockwise (downwards, wrapping) from this address to <paramref name="other"/>.</summary>
    public Address CounterClockwiseDistanceTo(Address other) => other.ClockwiseDistanceTo(this);

    /// <summary>The shorter way round from this address to <paramref name="other"/>: at most <see cref="Half"/>.</summary>
    public Address DistanceTo(Address other)
    {
        Address clockwise = ClockwiseDistanceTo(other);
        Address counter = CounterClockwiseDistanceTo(other);
        return clockwise <= counter ? clockwise : counter;
    }

    /// <summary>
    /// True when walking clockwise from <paramref name="start"/> reaches this address strictly before
    /// <paramref name="end"/>. With start == end the interval is the whole ring but that point.
    /// </summary>
    public bool IsStrictlyBetweenClockwise(Address start, Address end)
    {
        if (this == start)
        {
            return false;
        }
        if (start == end)
        {
            return true;
        }
        return start.ClockwiseDistanceTo(this) < start.ClockwiseDistanceTo(end);
    }

    /// <summary>Shifts right by <paramref name="bits"/> (0..160), treating the address as an unsigned number.</summary>
    public Address ShiftRight(int bits)
    {
        if ((uint)bits >= Bits)
        {
            return bits == 0 ? this : Zero;
        }
        BigInteger value = ToBigInteger() >> bits;
        return FromBigInteger(value);
    }

    /// <summary>The address as an unsigned number in [0, 2^160).</summary>
    public BigInteger ToBigInteger() => ((BigInteger)High << 32) | Low;

    /// <summary>The address of <paramref name="value"/> mod 2^160 (negative values wrap too).</summary>
    public static Address FromBigInteger(BigInteger value)
    {
        BigInteger ring = BigInteger.One << Bits;
        value %= ring;
        if (value.Sign < 0)
        {
            value += ring;
        }
        return new((UInt128)(value >> 32), (uint)(value & uint.MaxValue));
    }

    /// <summary>The ring position as a fraction of the whole ring, in [0, 1): for pictures and estimates.</summary>
    public double ToUnitFraction() => (double)High / Math.Pow(2, 128);

    public int CompareTo(Address other)
    {
        int high = High.CompareTo(other.High);
        return high != 0 ? high : Low.CompareTo(other.Low);
    }

    public static bool operator <(Address left, Address right) => left.CompareTo(right) < 0;

    public static bool operator >(Address left, Address right) => left.CompareTo(right) > 0;

    public static bool operator <=(Address left, Address right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Address left, Address right) => left.CompareTo(right) >= 0;

    /// <summary>The text form: <c>brunet:node:</c> + 32 characters of RFC 4648 base32 without padding.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return TextPrefix + Base32.Encode(bytes);
    }

    /// <summary>The first 8 base32 characters: for logs and pictures.</summary>
    public string ToShortString() => ToString().Substring(TextPrefix.Length, 8);

    public static bool TryParse([NotNullWhen(true)] string? text, out Address address)
    {
        address = default;
        if (text is null || !text.StartsWith(TextPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        if (!Base32.TryDecode(text.AsSpan(TextPrefix.Length), bytes))
        {
            return false;
        }
        address = Read(bytes);
        return true;
    }

    public static Address Parse(string text) => TryParse(text, out Address address)
        ? address
        : throw new FormatException($"'{text}' is not a node address ({TextPrefix} and 32 base32 characters).");
}
