using System.Numerics;
using Brunet.Addressing;
using FsCheck;
using FsCheck.Fluent;

namespace Brunet.Tests.Addressing;

/// <summary>Ring arithmetic of <see cref="Address"/> against a plain BigInteger model (STYLE.md rule 14).</summary>
public class AddressPropertyTests
{
    private static readonly BigInteger s_ringSize = BigInteger.One << 160;
    private static readonly BigInteger s_half = BigInteger.One << 159;

    // Random 20-byte addresses, with the wrap points and their neighbours mixed in often enough to be hit.
    private static readonly Arbitrary<Address> s_addresses = Arb.From(Gen.Frequency(
        (8, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), Address.Size).Select(bytes => Address.Read(bytes))),
        (1, Gen.Elements(Address.Zero, Address.MaxValue, Address.Half, FromBig(s_half - 1), FromBig(1), FromBig(s_half + 1)))));

    private static readonly Arbitrary<int> s_shifts = Arb.From(Gen.Choose(0, 160));

    private static BigInteger ToBig(Address a)
    {
        byte[] bytes = a.ToBytes();
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private static Address FromBig(BigInteger value)
    {
        value = ((value % s_ringSize) + s_ringSize) % s_ringSize;
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] padded = new byte[Address.Size];
        bytes.CopyTo(padded, Address.Size - bytes.Length);
        return Address.Read(padded);
    }

    private static BigInteger Mod(BigInteger value) => ((value % s_ringSize) + s_ringSize) % s_ringSize;

    [Test]
    public void ClockwiseDistanceTo_AnyPair_MatchesBigIntegerModel() =>
        Prop.ForAll(s_addresses, s_addresses, (a, b) =>
            ToBig(a.ClockwiseDistanceTo(b)) == Mod(ToBig(b) - ToBig(a))).QuickCheckThrowOnFailure();

    [Test]
    public void CounterClockwiseDistanceTo_AnyPair_MatchesBigIntegerModel() =>
        Prop.ForAll(s_addresses, s_addresses, (a, b) =>
            ToBig(a.CounterClockwiseDistanceTo(b)) == Mod(ToBig(a) - ToBig(b))).QuickCheckThrowOnFailure();

    [Test]
    public void DistanceTo_AnyPair_IsShorterWayAndAtMostHalf() =>
        Prop.ForAll(s_addresses, s_addresses, (a, b) =>
        {
            BigInteger expected = BigInteger.Min(Mod(ToBig(b) - ToBig(a)), Mod(ToBig(a) - ToBig(b)));
            BigInteger actual = ToBig(a.DistanceTo(b));
            return actual == expected && actual <= s_half && a.DistanceTo(b) == b.DistanceTo(a);
        }).QuickCheckThrowOnFailure();

    [Test]
    public void Add_AnyPair_MatchesBigIntegerModel() =>
        Prop.ForAll(s_addresses, s_addresses, (a, b) => ToBig(a + b) == Mod(ToBig(a) + ToBig(b))).QuickCheckThrowOnFailure();

    [Test]
    public void Subtract_AnyPair_MatchesBigIntegerModel() =>
        Prop.ForAll(s_addresses, s_addresses, (a, b) =>
            ToBig(a - b) == Mod(ToBig(a) - ToBig(b)) && (a - b) + b == a).QuickCheckThrowOnFailure();

    [Test]
    public void CompareTo_AnyPair_MatchesUnsignedOrder() =>
        Prop.ForAll(s_addresses, s_addresses, (a, b) =>
            Math.Sign(a.CompareTo(b)) == ToBig(a).CompareTo(ToBig(b))
            && (a < b) == (ToBig(a) < ToBig(b))
            && (a >= b) == (ToBig(a) >= ToBig(b))).QuickCheckThrowOnFailure();

    [Test]
    public void IsStrictlyBetweenClockwise_AnyTriple_MatchesModel() =>
        Prop.ForAll(s_addresses, s_addresses, s_addresses, (x, start, end) =>
        {
            BigInteger toX = Mod(ToBig(x) - ToBig(start));
            BigInteger toEnd = Mod(ToBig(end) - ToBig(start));
            // The open clockwise interval (start, end); start == end means the whole ring but start.
            bool expected = toX != 0 && (toEnd == 0 || toX < toEnd);
            return x.IsStrictlyBetweenClockwise(start, end) == expected;
        }).QuickCheckThrowOnFailure();

    [Test]
    public void ShiftRight_AnyAddressAndCount_MatchesModel() =>
        Prop.ForAll(s_addresses, s_shifts, (a, bits) => ToBig(a.ShiftRight(bits)) == ToBig(a) >> bits).QuickCheckThrowOnFailure();

    [Test]
    public void FromBigInteger_ToBigInteger_RoundTrips() =>
        Prop.ForAll(s_addresses, a =>
            Address.FromBigInteger(a.ToBigInteger()) == a
            && a.ToBigInteger() == ToBig(a)
            && Address.FromBigInteger(a.ToBigInteger() + s_ringSize) == a
            && Address.FromBigInteger(a.ToBigInteger() - s_ringSize) == a).QuickCheckThrowOnFailure();

    [Test]
    public void Parse_ToString_RoundTripsWith32Base32Characters() =>
        Prop.ForAll(s_addresses, a =>
        {
            string text = a.ToString();
            string body = text[Address.TextPrefix.Length..];
            return Address.Parse(text) == a
                && text.StartsWith(Address.TextPrefix, StringComparison.Ordinal)
                && body.Length == 32
                && body.All(c => c is (>= 'A' and <= 'Z') or (>= '2' and <= '7'));
        }).QuickCheckThrowOnFailure();

    [Test]
    public void IsNodeAddress_AnyAddress_IsLowestBitClear() =>
        Prop.ForAll(s_addresses, a =>
            a.IsNodeAddress == ToBig(a).IsEven
            && a.AsNodeAddress().IsNodeAddress
            && ToBig(a.AsNodeAddress()) == (ToBig(a) & ~BigInteger.One)).QuickCheckThrowOnFailure();

    [Test]
    public void Random_AnySeed_IsNodeAddress()
    {
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            Assert.That(Address.Random(random).IsNodeAddress, Is.True);
        }
    }

    [Test]
    public void FromHash_AnyData_IsNodeAddressAndDeterministic()
    {
        Address a = Address.FromHash("hello"u8);
        Assert.That(a.IsNodeAddress, Is.True);
        Assert.That(Address.FromHash("hello"u8), Is.EqualTo(a));
        Assert.That(Address.FromHash("hellp"u8), Is.Not.EqualTo(a));
    }

    // Wrap points: 0, 2^160 - 1 and 2^159 (Half): from, to, expected clockwise, expected counter-clockwise.
    [TestCase("0", "max", "max", "1")]
    [TestCase("max", "0", "1", "max")]
    [TestCase("0", "half", "half", "half")]
    [TestCase("half", "0", "half", "half")]
    [TestCase("max", "half", "half+1", "half-1")]
    [TestCase("half-1", "half", "1", "max")]
    [TestCase("0", "0", "0", "0")]
    public void ClockwiseDistanceTo_WrapPoints_AreExact(string from, string to, string clockwise, string counter)
    {
        Address a = Named(from);
        Address b = Named(to);
        Assert.That(a.ClockwiseDistanceTo(b), Is.EqualTo(Named(clockwise)), "clockwise");
        Assert.That(a.CounterClockwiseDistanceTo(b), Is.EqualTo(Named(counter)), "counter-clockwise");
        Assert.That(ToBig(a.ClockwiseDistanceTo(b)), Is.EqualTo(Mod(ToBig(b) - ToBig(a))), "model");
        Assert.That(ToBig(a.DistanceTo(b)), Is.LessThanOrEqualTo(s_half), "distance");
    }

    [Test]
    public void ClockwiseDistanceTo_ZeroToMax_IsMax()
    {
        Assert.That(Address.Zero.ClockwiseDistanceTo(Address.MaxValue), Is.EqualTo(Address.MaxValue));
        Assert.That(Address.MaxValue.ClockwiseDistanceTo(Address.Zero), Is.EqualTo(FromBig(1)));
        Assert.That(Address.Zero.DistanceTo(Address.MaxValue), Is.EqualTo(FromBig(1)));
    }

    [Test]
    public void DistanceTo_Opposite_IsHalf()
    {
        Assert.That(Address.Zero.DistanceTo(Address.Half), Is.EqualTo(Address.Half));
        Assert.That(Address.MaxValue.DistanceTo(FromBig(s_half - 1)), Is.EqualTo(Address.Half));
        Assert.That(ToBig(Address.Half), Is.EqualTo(s_half));
    }

    [Test]
    public void Add_MaxPlusOne_WrapsToZero()
    {
        Assert.That(Address.MaxValue + FromBig(1), Is.EqualTo(Address.Zero));
        Assert.That(Address.Half + Address.Half, Is.EqualTo(Address.Zero));
        Assert.That(Address.Zero - FromBig(1), Is.EqualTo(Address.MaxValue));
        // The carry from the low 32 bits into the high 128.
        Assert.That(new Address(0, uint.MaxValue) + new Address(0, 1), Is.EqualTo(new Address(1, 0)));
    }

    [Test]
    public void IsStrictlyBetweenClockwise_AcrossZero_IsTrue()
    {
        Assert.That(Address.Zero.IsStrictlyBetweenClockwise(Address.MaxValue, FromBig(1)), Is.True);
        Assert.That(Address.MaxValue.IsStrictlyBetweenClockwise(Address.MaxValue, FromBig(1)), Is.False, "start is excluded");
        Assert.That(FromBig(1).IsStrictlyBetweenClockwise(Address.MaxValue, FromBig(1)), Is.False, "end is excluded");
        Assert.That(Address.Half.IsStrictlyBetweenClockwise(Address.MaxValue, FromBig(1)), Is.False);
        Assert.That(Address.Half.IsStrictlyBetweenClockwise(Address.Zero, Address.Zero), Is.True, "start == end: whole ring but start");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(31)]
    [TestCase(32)]
    [TestCase(33)]
    [TestCase(128)]
    [TestCase(159)]
    [TestCase(160)]
    public void ShiftRight_Max_MatchesModel(int bits) =>
        Assert.That(ToBig(Address.MaxValue.ShiftRight(bits)), Is.EqualTo((s_ringSize - 1) >> bits));

    [Test]
    public void FromBigInteger_NegativeAndLarge_Wraps()
    {
        Assert.That(Address.FromBigInteger(-1), Is.EqualTo(Address.MaxValue));
        Assert.That(Address.FromBigInteger(s_ringSize), Is.EqualTo(Address.Zero));
        Assert.That(Address.FromBigInteger(s_ringSize + s_half), Is.EqualTo(Address.Half));
    }

    [Test]
    public void ToString_WrapPoints_AreAllAOrAll7()
    {
        Assert.That(Address.Zero.ToString(), Is.EqualTo(Address.TextPrefix + new string('A', 32)));
        Assert.That(Address.MaxValue.ToString(), Is.EqualTo(Address.TextPrefix + new string('7', 32)));
        Assert.That(Address.Half.ToString(), Is.EqualTo(Address.TextPrefix + "Q" + new string('A', 31)));
    }

    [TestCase("brunet:node:")]
    [TestCase("brunet:node:AAAA")]
    [TestCase("brunet:node:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1")]             // 1 is not base32
    [TestCase("brunet:node:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]            // 33 characters
    [TestCase("brunet:nodeAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("")]
    public void TryParse_Malformed_ReturnsFalse(string text)
    {
        Assert.That(Address.TryParse(text, out _), Is.False);
        Assert.Throws<FormatException>(() => Address.Parse(text));
    }

    [Test]
    public void TryParse_LowerCase_Accepted()
    {
        Address a = Address.Random(new Random(3));
        string lower = Address.TextPrefix + a.ToString()[Address.TextPrefix.Length..].ToLowerInvariant();
        Assert.That(Address.Parse(lower), Is.EqualTo(a));
    }

    // RFC 4648 §10 test vectors whose input is a multiple of 5 bytes (the only lengths unpadded Base32 here takes).
    [TestCase("", "")]
    [TestCase("fooba", "MZXW6YTB")]
    public void Base32_Rfc4648Vectors_EncodeAndDecode(string ascii, string expected)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(ascii);
        Assert.That(Base32.Encode(data), Is.EqualTo(expected));
        byte[] decoded = new byte[data.Length];
        Assert.That(Base32.TryDecode(expected, decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(data));
    }

    [Test]
    public void Base32_NotMultipleOfFive_Throws() =>
        Assert.Throws<ArgumentException>(() => Base32.Encode(new byte[4]));

    private static Address Named(string name) => name switch
    {
        "0" => Address.Zero,
        "max" => Address.MaxValue,
        "half" => Address.Half,
        "half-1" => FromBig(s_half - 1),
        "half+1" => FromBig(s_half + 1),
        "1" => FromBig(1),
        _ => throw new ArgumentException(name, nameof(name)),
    };
}
