using System.Net;
using Ipop.Dhcp.Leases;

namespace Ipop.Dhcp.Tests.Leases;

public sealed class AddressPoolTests
{
    [Test]
    public void PickRandom_SmallRange_NeverPicksNetworkGatewayBroadcastOrReserved()
    {
        AddressPool pool = new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.255.248"), [IPAddress.Parse("100.64.0.3")], new Random(5));
        HashSet<IPAddress> picked = [];

        for (int i = 0; i < 10; i++)
        {
            IPAddress? address = pool.PickRandom(picked.Contains);
            if (address is null)
            {
                break;
            }
            picked.Add(address);
        }

        string[] expected = ["100.64.0.2", "100.64.0.4", "100.64.0.5", "100.64.0.6"];
        Assert.That(picked.Select(a => a.ToString()).Order(), Is.EqualTo(expected));
        Assert.That(pool.LeasableCount, Is.EqualTo(4));
        Assert.That(pool.PickRandom(picked.Contains), Is.Null, "exhausted");
    }

    [Test]
    public void PickRandom_LargeRangeNearlyFull_FindsTheLastFreeAddress()
    {
        AddressPool pool = new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.240.0"), [], new Random(9));
        IPAddress last = IPAddress.Parse("100.64.7.123");

        IPAddress? picked = pool.PickRandom(a => !a.Equals(last));

        Assert.That(picked, Is.EqualTo(last));
    }

    [Test]
    public void PickRandom_LargeRange_SpreadsOverTheRange()
    {
        AddressPool pool = new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.192.0.0"), [], new Random(11));

        HashSet<IPAddress> picks = [.. Enumerable.Range(0, 50).Select(_ => pool.PickRandom(_ => false)!)];

        Assert.That(picks, Has.Count.GreaterThan(45));
        Assert.That(picks.All(pool.IsLeasable), Is.True);
    }

    [TestCase("100.64.0.0", false, Description = "network")]
    [TestCase("100.64.0.1", false, Description = "gateway")]
    [TestCase("100.64.255.255", false, Description = "broadcast")]
    [TestCase("100.64.0.9", false, Description = "reserved")]
    [TestCase("100.65.0.9", false, Description = "outside")]
    [TestCase("100.64.0.2", true)]
    [TestCase("100.64.0.255", true, Description = "x.y.z.255 inside a /16 is an ordinary address")]
    [TestCase("100.64.255.254", true)]
    public void IsLeasable_Address_FollowsTheRules(string address, bool expected)
    {
        AddressPool pool = new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [IPAddress.Parse("100.64.0.9")], new Random(1));

        Assert.That(pool.IsLeasable(IPAddress.Parse(address)), Is.EqualTo(expected));
        Assert.That(pool.Gateway, Is.EqualTo(IPAddress.Parse("100.64.0.1")));
        Assert.That(pool.Broadcast, Is.EqualTo(IPAddress.Parse("100.64.255.255")));
        Assert.That(pool.LeasableCount, Is.EqualTo(65536 - 4));
    }

    [TestCase("100.64.0.0", "255.0.255.0", Description = "not contiguous")]
    [TestCase("100.64.0.0", "255.255.255.254", Description = "/31")]
    [TestCase("100.64.0.1", "255.255.0.0", Description = "host bits")]
    public void Constructor_BadRange_ThrowsArgumentException(string ipBase, string netmask)
    {
        Assert.Throws<ArgumentException>(() => _ = new AddressPool(IPAddress.Parse(ipBase), IPAddress.Parse(netmask), [], new Random(1)));
    }

    [Test]
    public void Constructor_ReservedOutsideRange_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new AddressPool(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [IPAddress.Parse("10.0.0.1")], new Random(1)));
    }
}
