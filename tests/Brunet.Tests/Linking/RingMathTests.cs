using System.Numerics;
using Brunet.Addressing;
using Brunet.Linking;

namespace Brunet.Tests.Linking;

public class RingMathTests
{
    private static Address Evenly(int index, int count) => Address.FromBigInteger((BigInteger.One << Address.Bits) * index / count).AsNodeAddress();

    [Test]
    public void NearestBothSides_RandomCandidates_TakesNearestPerSide()
    {
        var random = new Random(8);
        for (int round = 0; round < 50; round++)
        {
            Address self = Address.Random(random);
            var candidates = Enumerable.Range(0, random.Next(0, 30)).Select(_ => Address.Random(random)).ToList();
            var withNoise = candidates.Concat(candidates.Take(3)).Append(self).ToList();   // duplicates and self
            HashSet<Address> result = RingMath.NearestBothSides(self, withNoise, 2);
            var clockwise = candidates.Distinct().OrderBy(self.ClockwiseDistanceTo).ToList();
            var expected = clockwise.Take(2).Concat(clockwise.AsEnumerable().Reverse().Take(2)).ToHashSet();
            Assert.That(result, Is.EquivalentTo(expected), $"round {round}");
            Assert.That(result, Does.Not.Contain(self));
        }
    }

    [Test]
    public void NearestBounds_RandomCandidates_AdmitExactlyNearestBothSides()
    {
        var random = new Random(9);
        for (int round = 0; round < 200; round++)
        {
            Address self = Address.Random(random);
            int perSide = 1 + (round % 3);
            var candidates = Enumerable.Range(0, random.Next(0, 12)).Select(_ => Address.Random(random)).ToList();
            Address[] withNoise = [.. candidates, .. candidates.Take(4), self];   // duplicates and self
            (Address right, Address left) = RingMath.NearestBounds(self, withNoise, perSide);
            HashSet<Address> expected = RingMath.NearestBothSides(self, withNoise, perSide);
            var admitted = candidates.Where(c => self.ClockwiseDistanceTo(c) <= right || self.CounterClockwiseDistanceTo(c) <= left).ToHashSet();
            Assert.That(admitted, Is.EquivalentTo(expected), $"round {round}, {candidates.Count} candidates, {perSide} per side");
        }
    }

    [Test]
    public void NearestBothSides_AcrossZero_PicksWrappedNeighbours()
    {
        Address self = Address.FromBigInteger(10);
        Address[] candidates = [Address.MaxValue - Address.FromBigInteger(1), Address.FromBigInteger(20), Address.Half, Address.FromBigInteger(40)];
        Assert.That(RingMath.NearestBothSides(self, candidates, 1), Is.EquivalentTo(new[] { candidates[0], candidates[1] }));
    }

    [TestCase(16)]
    [TestCase(100)]
    [TestCase(1000)]
    [TestCase(100_000)]
    public void EstimateNetworkSize_EvenlySpaced_IsN(int n)
    {
        Address self = Evenly(0, n);
        Address[] right = [Evenly(1, n), Evenly(2, n)];
        Address[] left = [Evenly(n - 1, n), Evenly(n - 2, n)];
        Assert.That(RingMath.EstimateNetworkSize(self, right, left), Is.EqualTo(n).Within(1).Percent);
        Assert.That(RingMath.EstimateNetworkSize(Evenly(5, n), [Evenly(6, n)], [Evenly(4, n)]), Is.EqualTo(n).Within(1).Percent);
    }

    [Test]
    public void EstimateNetworkSize_NoNeighbours_IsOne()
    {
        Address self = Address.Random(new Random(1));
        Assert.That(RingMath.EstimateNetworkSize(self, [], []), Is.EqualTo(1));
        Assert.That(RingMath.EstimateNetworkSize(self, [Address.Half], []), Is.EqualTo(1));
    }

    [Test]
    public void EstimateNetworkSize_RandomRing_WithinFactorOfFour()
    {
        var random = new Random(6);
        const int n = 500;
        var sorted = Enumerable.Range(0, n).Select(_ => Address.Random(random)).OrderBy(a => a).ToList();
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double estimate = RingMath.EstimateNetworkSize(sorted[i], [sorted[(i + 1) % n], sorted[(i + 2) % n]], [sorted[(i - 1 + n) % n], sorted[(i - 2 + n) % n]]);
            sum += estimate;
        }
        // Each estimate is noisy (4 gaps), but their mean over the ring is near N.
        Assert.That(sum / n, Is.InRange(n / 2.0, n * 2.0));
    }

    [TestCase(1024, 7)]
    [TestCase(64, 8)]
    [TestCase(1_000_000, 9)]
    public void ShortcutTarget_Distances_AreLogUniformAboveRingShare(int n, int seed)
    {
        var random = new Random(seed);
        Address self = Address.Random(random);
        double log2N = Math.Log2(n);
        const int samples = 20_000;
        const int bins = 10;
        int[] counts = new int[bins];
        for (int i = 0; i < samples; i++)
        {
            Address target = RingMath.ShortcutTarget(self, n, random);
            Assert.That(target.IsNodeAddress, Is.True);
            BigInteger distance = self.ClockwiseDistanceTo(target).ToBigInteger();
            // d = 2^(160 - (1 - p) log2 N): log2 d in [160 - log2 N, 160), the lowest bit cleared may take 1 off.
            double log2d = BigInteger.Log(BigInteger.Max(distance, 1), 2);
            Assert.That(log2d, Is.InRange(Address.Bits - log2N - 1e-6, Address.Bits), $"seed {seed}, sample {i}");
            int bin = (int)Math.Clamp((log2d - (Address.Bits - log2N)) / log2N * bins, 0, bins - 1);
            counts[bin]++;
        }
        foreach (int count in counts)
        {
            Assert.That(count, Is.InRange(samples / bins * 0.85, samples / bins * 1.15), $"seed {seed}: bins {string.Join(' ', counts)}");
        }
    }

    [TestCase(1, 10, 0)]
    [TestCase(10, 10, 0)]
    [TestCase(11, 10, 2)]
    [TestCase(16, 10, 2)]
    [TestCase(1000, 10, 5)]
    [TestCase(1024, 10, 5)]
    [TestCase(1025, 10, 6)]
    [TestCase(1_000_000, 10, 10)]
    public void DesiredShortcuts_Size_IsCeilHalfLog2(double n, int minimum, int expected) =>
        Assert.That(RingMath.DesiredShortcuts(n, minimum), Is.EqualTo(expected));
}
