using Brunet.Addressing;

namespace Brunet.Linking;

/// <summary>Pure ring computations behind the link policies: nearest neighbours, size estimates, shortcut targets.</summary>
public static class RingMath
{
    /// <summary>
    /// The <paramref name="perSide"/> nearest addresses on each side of <paramref name="self"/> among
    /// <paramref name="candidates"/> (duplicates and self ignored): right side clockwise first, then left.
    /// </summary>
    public static HashSet<Address> NearestBothSides(Address self, IEnumerable<Address> candidates, int perSide)
    {
        var unique = new HashSet<Address>(candidates);
        unique.Remove(self);
        var clockwise = unique.OrderBy(self.ClockwiseDistanceTo).ToList();
        var result = new HashSet<Address>();
        for (int i = 0; i < perSide && i < clockwise.Count; i++)
        {
            result.Add(clockwise[i]);
            result.Add(clockwise[clockwise.Count - 1 - i]);
        }
        return result;
    }

    /// <summary>
    /// Estimates the number of nodes from the spacing of the known neighbours: k neighbours clockwise span about
    /// k/N of the ring, likewise counter-clockwise.
    /// </summary>
    public static double EstimateNetworkSize(Address self, IReadOnlyList<Address> rightNeighbours, IReadOnlyList<Address> leftNeighbours)
    {
        int k = Math.Min(rightNeighbours.Count, leftNeighbours.Count);
        if (k == 0)
        {
            return 1;
        }
        double span = self.ClockwiseDistanceTo(rightNeighbours[k - 1]).ToUnitFraction()
            + self.CounterClockwiseDistanceTo(leftNeighbours[k - 1]).ToUnitFraction();
        if (span <= 0)
        {
            return 1;
        }
        return Math.Max(1, 2 * k / span);
    }

    /// <summary>
    /// A shortcut target: clockwise from <paramref name="self"/> by d = 2^(160 − (1 − p)·log2 N), p uniform in [0, 1)
    /// (Symphony's harmonic distribution).
    /// </summary>
    public static Address ShortcutTarget(Address self, double networkSize, Random random)
    {
        double log2N = Math.Log2(Math.Max(2, networkSize));
        double p = random.NextDouble();
        double exponent = Address.Bits - ((1 - p) * log2N);
        // 2^exponent as a 160-bit number: the integer part shifts, the fraction scales a 52-bit mantissa.
        int whole = (int)Math.Floor(exponent);
        double fraction = exponent - whole;
        var mantissa = (System.Numerics.BigInteger)(Math.Pow(2, fraction) * (1L << 52));
        System.Numerics.BigInteger distance = whole >= 52 ? mantissa << (whole - 52) : mantissa >> (52 - whole);
        return Address.FromBigInteger(self.ToBigInteger() + distance).AsNodeAddress();
    }

    /// <summary>Shortcuts wanted for a ring of about <paramref name="networkSize"/> nodes: ceil(0.5 log2 N) above the minimum.</summary>
    public static int DesiredShortcuts(double networkSize, int minNetworkSize) =>
        networkSize <= minNetworkSize ? 0 : (int)Math.Ceiling(0.5 * Math.Log2(networkSize));
}
