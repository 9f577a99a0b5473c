using Brunet.Addressing;

namespace Brunet.Tests.Addressing;

public class AddressTests
{
    [Test]
    public void ToString_RoundTrips_ThroughParse()
    {
        Address address = Address.Random(new Random(1));
        Assert.That(Address.Parse(address.ToString()), Is.EqualTo(address));
        Assert.That(address.ToString(), Has.Length.EqualTo(Address.TextPrefix.Length + 32));
    }
}
