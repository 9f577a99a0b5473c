using System.Net;
using Brunet.Addressing;
using Brunet.Nat;

namespace Brunet.Tests.Nat;

public sealed class NatBehaviourTests
{
    private static readonly Address s_a = Address.FromHash("a"u8);
    private static readonly Address s_b = Address.FromHash("b"u8);
    private static readonly Address s_c = Address.FromHash("c"u8);

    private static IPEndPoint Ep(string text) => IPEndPoint.Parse(text);

    [Test]
    public void Infer_NoReflections_Unknown() => Assert.That(NatBehaviour.Infer([]), Is.EqualTo(NatMapping.Unknown));

    [Test]
    public void Infer_OneReflection_Unknown() =>
        Assert.That(NatBehaviour.Infer([Ep("198.18.1.1:40000")]), Is.EqualTo(NatMapping.Unknown));

    [Test]
    public void Infer_SameOutsidePortTwice_EndpointIndependent() =>
        Assert.That(NatBehaviour.Infer([Ep("198.18.1.1:40000"), Ep("198.18.1.1:40000")]), Is.EqualTo(NatMapping.EndpointIndependent));

    [Test]
    public void Infer_TwoPortsOnOneOutsideAddress_PortDependent() =>
        Assert.That(NatBehaviour.Infer([Ep("198.18.1.4:51234"), Ep("198.18.1.4:60001")]), Is.EqualTo(NatMapping.PortDependent));

    [Test]
    public void Infer_DifferentOutsideAddresses_SayNothingAboutEachOther() =>
        Assert.That(NatBehaviour.Infer([Ep("198.18.1.4:51234"), Ep("192.168.4.2:40000")]), Is.EqualTo(NatMapping.Unknown));

    [Test]
    public void Infer_ConflictAmongAgreeingReflections_PortDependent() =>
        Assert.That(
            NatBehaviour.Infer([Ep("198.18.1.4:1000"), Ep("198.18.1.4:1000"), Ep("198.18.1.4:2000")]),
            Is.EqualTo(NatMapping.PortDependent));

    [Test]
    public void Note_TwoPeersSeeDifferentPorts_PortDependent()
    {
        var nat = new NatBehaviour();
        Assert.That(nat.Note(s_a, Ep("198.18.1.4:51234")), Is.EqualTo(NatMapping.Unknown));
        Assert.That(nat.Note(s_b, Ep("198.18.1.4:60001")), Is.EqualTo(NatMapping.PortDependent));
        Assert.That(nat.Mapping, Is.EqualTo(NatMapping.PortDependent));
    }

    [Test]
    public void Note_OnePeerReportsNewPortAfterNatReboot_OnlyLatestCounts()
    {
        var nat = new NatBehaviour();
        nat.Note(s_a, Ep("198.18.1.3:40000"));
        Assert.That(nat.Note(s_a, Ep("198.18.1.3:40001")), Is.EqualTo(NatMapping.Unknown));
        Assert.That(nat.Note(s_b, Ep("198.18.1.3:40001")), Is.EqualTo(NatMapping.EndpointIndependent));
    }

    [Test]
    public void Note_ManyPeers_KeepsOnlyRecentHistory()
    {
        var nat = new NatBehaviour();
        nat.Note(s_c, Ep("198.18.1.4:1"));   // an old conflicting reflection, pushed out by newer ones
        for (int i = 0; i < NatBehaviour.HistorySize; i++)
        {
            nat.Note(Address.FromHash([(byte)i]), Ep("198.18.1.4:2"));
        }
        Assert.That(nat.Mapping, Is.EqualTo(NatMapping.EndpointIndependent));
    }
}
