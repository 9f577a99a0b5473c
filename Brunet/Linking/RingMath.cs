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
    /// The bounds of <see cref="NearestBothSides"/> without building it: the <paramref name="perSide"/>-th smallest
    /// clockwise and counter-clockwise distance from <paramref name="self"/> among the distinct
    /// <paramref name="candidates"/> (self ignored), or <see cref="Address.MaxValue"/> where there are fewer. An address
    /// is among the nearest exactly when its clockwise distance is within the first bound or its counter-clockwise
    /// distance within the second. Allocates nothing: stabilization asks this on every answer.
    /// </summary>
    public static (Address Clockwise, Address CounterClockwise) NearestBounds(Address self, ReadOnlySpan<Address> candidates, int perSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSide, 1);
        Span<Address> right = perSide <= 8 ? stackalloc Address[perSide] : new Address[perSide];
        Span<Address> left = perSide <= 8 ? stackalloc Address[perSide] : new Address[perSide];
        right.Fill(Address.MaxValue);
        left.Fill(Address.MaxValue);
        foreach (Address candidate in candidates)
        {
            if (candidate != self)
            {
                KeepSmallest(right, self.ClockwiseDistanceTo(candidate));
                KeepSmallest(left, self.CounterClockwiseDistanceTo(candidate));
            }
        }
        return (right[^1], left[^1]);
    }

    /// <summary>Inserts <paramref name="distance"/> into the ascending <paramref name="smallest"/> unless it is there or too large.</summary>
    private static void KeepSmallest(Span<Address> smallest, Address distance)
    {
        if (distance >= smallest[^1] || smallest.Contains(distance))
        {
            return;
        }
        int at = smallest.Length - 1;
        while (at > 0 && smallest[at - 1] > distance)
        {
            smallest[at] = smallest[at - 1];
            at--;
        }
        smallest[at] = distance;
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
