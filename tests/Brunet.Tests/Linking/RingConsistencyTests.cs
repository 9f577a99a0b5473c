using Brunet.Addressing;
using Brunet.Linking;

namespace Brunet.Tests.Linking;

public class RingConsistencyTests
{
    private static Dictionary<Address, NeighbourView> TrueRing(List<Address> sorted)
    {
        int n = sorted.Count;
        var views = new Dictionary<Address, NeighbourView>();
        for (int i = 0; i < n; i++)
        {
            views[sorted[i]] = new NeighbourView(sorted[(i + 1) % n], sorted[(i + 2) % n], sorted[(i - 1 + n) % n], sorted[(i - 2 + n) % n]);
        }
        return views;
    }

    private static List<Address> Nodes(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => Address.Random(random)).OrderBy(a => a)];
    }

    [TestCase(5)]
    [TestCase(10)]
    [TestCase(200)]
    public void Check_TrueRing_IsFullyConsistent(int n)
    {
        RingConsistency.Result result = RingConsistency.Check(TrueRing(Nodes(n, n)));
        Assert.That(result.Consistency, Is.EqualTo(1.0));
        Assert.That(result.ConsistentNodes, Is.EqualTo(n));
        Assert.That(result.ChecksPassed, Is.EqualTo(4 * n));
        Assert.That(result.Inconsistent, Is.Empty);
    }

    [Test]
    public void Check_OneLiarAboutLeft_LowersConsistencyAndNamesIt()
    {
        List<Address> sorted = Nodes(20, 3);
        Dictionary<Address, NeighbourView> views = TrueRing(sorted);
        Address liar = sorted[7];
        views[liar] = views[liar] with { Left = sorted[12] };
        RingConsistency.Result result = RingConsistency.Check(views);
        Assert.That(result.Consistency, Is.LessThan(1.0));
        // The liar fails its left.right check; its true left fails its right.left check.
        Assert.That(result.ChecksPassed, Is.EqualTo((4 * 20) - 2));
        Assert.That(result.Inconsistent, Does.Contain(liar));
        Assert.That(result.Inconsistent, Is.EquivalentTo(new[] { liar, sorted[6] }));
    }

    [Test]
    public void Check_MissingNeighbours_CountAsFailed()
    {
        List<Address> sorted = Nodes(6, 4);
        Dictionary<Address, NeighbourView> views = TrueRing(sorted);
        views[sorted[0]] = new NeighbourView(null, null, null, null);
        RingConsistency.Result result = RingConsistency.Check(views);
        Assert.That(result.Inconsistent, Does.Contain(sorted[0]));
        Assert.That(result.Consistency, Is.LessThan(1.0));
    }

    [Test]
    public void Check_Empty_IsZero() =>
        Assert.That(RingConsistency.Check(new Dictionary<Address, NeighbourView>()).Consistency, Is.EqualTo(0));
}
