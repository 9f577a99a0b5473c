using Brunet.Addressing;
using Brunet.Connections;

namespace Brunet.Tests.Connections;

public class ConnectionTableTests
{
    private static Address At(ulong value) => Address.FromBigInteger(value);

    private static ConnectionTable TableOf(Address self, IEnumerable<Address> peers)
    {
        ConnectionTable table = ConnectionTable.Empty(self);
        foreach (Address peer in peers)
        {
            table = table.With(NullConnectionEdge.Link(peer));
        }
        return table;
    }

    [Test]
    public void With_RandomOrder_KeepsClockwiseOrderFromSelf()
    {
        var random = new Random(3);
        for (int round = 0; round < 50; round++)
        {
            Address self = Address.Random(random);
            var peers = Enumerable.Range(0, random.Next(1, 40)).Select(_ => Address.Random(random)).Distinct().ToList();
            ConnectionTable table = TableOf(self, peers);
            var expected = peers.OrderBy(self.ClockwiseDistanceTo).ToList();
            Assert.That(table.Clockwise.Select(c => c.Peer), Is.EqualTo(expected), $"round {round}");
            Assert.That(table.Count, Is.EqualTo(peers.Count));
            Assert.That(table.Right(0)!.Peer, Is.EqualTo(expected[0]));
            Assert.That(table.Left(0)!.Peer, Is.EqualTo(expected[^1]));
        }
    }

    [Test]
    public void RightLeft_AcrossZero_WrapAround()
    {
        // Self near the top of the ring: its right neighbours wrap past zero.
        Address self = Address.MaxValue.AsNodeAddress() - At(100);
        Address right1 = Address.MaxValue.AsNodeAddress();
        Address right2 = At(10);
        Address left1 = self - At(2);
        Address left2 = Address.Half;
        ConnectionTable table = TableOf(self, [left2, right2, left1, right1]);
        Assert.That(table.Right(0)!.Peer, Is.EqualTo(right1));
        Assert.That(table.Right(1)!.Peer, Is.EqualTo(right2));
        Assert.That(table.Left(0)!.Peer, Is.EqualTo(left1));
        Assert.That(table.Left(1)!.Peer, Is.EqualTo(left2));
        Assert.That(table.Right(4), Is.Null);
        Assert.That(table.Left(4), Is.Null);
        Assert.That(ConnectionTable.Empty(self).Right(0), Is.Null);
        Assert.That(ConnectionTable.Empty(self).Left(0), Is.Null);
    }

    [Test]
    public void With_ExistingPeer_ReplacesInPlace()
    {
        Address self = At(1000);
        ConnectionTable table = TableOf(self, [At(2000), At(3000), At(500)]);
        ConnectionTable updated = table.With(NullConnectionEdge.Link(At(3000), ConnectionType.Shortcut));
        Assert.That(updated.Count, Is.EqualTo(3));
        Assert.That(updated.Get(At(3000))!.LocalTypes, Is.EqualTo(ConnectionType.Shortcut));
        Assert.That(updated.Clockwise.Select(c => c.Peer), Is.EqualTo(table.Clockwise.Select(c => c.Peer)));
        Assert.That(table.Get(At(3000))!.LocalTypes, Is.EqualTo(ConnectionType.Near), "snapshots are immutable");
    }

    [Test]
    public void With_Self_Throws()
    {
        Address self = At(1000);
        Assert.Throws<ArgumentException>(() => ConnectionTable.Empty(self).With(NullConnectionEdge.Link(self)));
    }

    [Test]
    public void Without_RemovesPeerAndUnknownIsNoOp()
    {
        Address self = At(1000);
        ConnectionTable table = TableOf(self, [At(2000), At(3000), At(500)]);
        ConnectionTable removed = table.Without(At(2000));
        Assert.That(removed.Clockwise.Select(c => c.Peer), Is.EqualTo(new[] { At(3000), At(500) }));
        Assert.That(removed.Contains(At(2000)), Is.False);
        Assert.That(removed.Get(At(2000)), Is.Null);
        Assert.That(table.Contains(At(2000)), Is.True, "snapshots are immutable");
        Assert.That(table.Without(At(7)), Is.SameAs(table));
    }

    [Test]
    public void Closest_AnyKey_MatchesScanOfDistances()
    {
        var random = new Random(9);
        Address self = Address.Random(random);
        var peers = Enumerable.Range(0, 30).Select(_ => Address.Random(random)).ToList();
        ConnectionTable table = TableOf(self, peers);
        for (int i = 0; i < 200; i++)
        {
            Address key = Address.Random(random);
            Address expected = peers.OrderBy(p => p.DistanceTo(key)).ThenBy(p => p).First();
            Assert.That(table.Closest(key)!.Peer, Is.EqualTo(expected));
            Address expectedExcluding = peers.Where(p => p != expected).OrderBy(p => p.DistanceTo(key)).ThenBy(p => p).First();
            Assert.That(table.Closest(key, expected)!.Peer, Is.EqualTo(expectedExcluding));
        }
    }

    [Test]
    public void Closest_Tie_PrefersSmallerAddress()
    {
        Address self = At(1);
        // 1000 and 3000 are both 1000 from 2000; Half + 2000 is far.
        ConnectionTable table = TableOf(self, [At(3000), At(1000), Address.Half + At(2000)]);
        Assert.That(table.Closest(At(2000))!.Peer, Is.EqualTo(At(1000)));
        Assert.That(table.Closest(At(2000), At(1000))!.Peer, Is.EqualTo(At(3000)));
        // A tie across zero: 2^160 - 10 and 10 are both 10 from 0.
        ConnectionTable wrap = TableOf(Address.Half, [Address.MaxValue - At(9), At(10)]);
        Assert.That(wrap.Closest(Address.Zero)!.Peer, Is.EqualTo(At(10)));
    }

    [Test]
    public void Closest_EmptyOrOnlyExcluded_IsNull()
    {
        Assert.That(ConnectionTable.Empty(At(1)).Closest(At(5)), Is.Null);
        Assert.That(TableOf(At(1), [At(4)]).Closest(At(5), At(4)), Is.Null);
    }

    [Test]
    public void NearRank_CountsFromTheNearerSide()
    {
        Address self = At(1000);
        // Clockwise from 1000: 1100, 1200, 1300, 1400, Half, then (wrapping) 10, 900.
        ConnectionTable table = TableOf(self, [At(900), At(10), At(1100), At(1200), At(1300), At(1400), Address.Half]);
        Assert.That(table.NearRank(At(1100)), Is.EqualTo(0));
        Assert.That(table.NearRank(At(900)), Is.EqualTo(0));
        Assert.That(table.NearRank(At(1200)), Is.EqualTo(1));
        Assert.That(table.NearRank(At(10)), Is.EqualTo(1));
        Assert.That(table.NearRank(At(1300)), Is.EqualTo(2));
        Assert.That(table.NearRank(Address.Half), Is.EqualTo(2));
        Assert.That(table.NearRank(At(1400)), Is.EqualTo(3));
        Assert.That(table.NearRank(At(77)), Is.EqualTo(int.MaxValue));
    }
}
