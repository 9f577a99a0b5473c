using Brunet.Node;
using Brunet.Security;
using Brunet.Security.Certificates;

namespace Brunet.Tests.Simulation;

/// <summary>A private overlay: only holders of a certificate from the group's authority can link.</summary>
public class PrivateOverlayTests
{
    [Test]
    public void Join_PrivateOverlay_MembersFormRingAndOutsidersAreRefused()
    {
        var ring = new SimulatedRing(21);
        using GroupAuthority authority = GroupAuthority.Create("lab", ring.Scheduler);
        using GroupAuthority other = GroupAuthority.Create("lab", ring.Scheduler);   // same name, another key

        Action<OverlayNode> Member(GroupAuthority issuer) => node =>
        {
            GroupTrust trust = GroupTrust.Create(issuer.Certificate, issuer.Issue($"h{node.Address.ToShortString()}", node.Identity), node.Identity, ring.Scheduler);
            node.ConfigureHandshake(h => h with { LocalCertificate = trust.LocalCertificate, Authorize = trust.Check });
        };

        for (int i = 0; i < 8; i++)
        {
            ring.AddNode(beforeStart: Member(authority));
        }
        OverlayNode outsider = ring.AddNode(beforeStart: Member(other));          // a certificate from another authority
        OverlayNode anonymous = ring.AddNode();                                    // no certificate at all
        ring.Dead.Add(outsider);      // not expected in the ring (they are alive, but excluded from the checks)
        ring.Dead.Add(anonymous);

        Assert.That(ring.RunUntilConsistent(TimeSpan.FromSeconds(30)), Is.Not.Null, "the members did not form a ring");
        ring.Scheduler.RunFor(TimeSpan.FromSeconds(5));
        Assert.That(outsider.Connections.Count, Is.Zero, "a node with another authority's certificate linked");
        Assert.That(anonymous.Connections.Count, Is.Zero, "a node without a certificate linked");
        foreach (OverlayNode member in ring.Alive)
        {
            Assert.That(member.Connections.Contains(outsider.Address) || member.Connections.Contains(anonymous.Address), Is.False);
        }
    }
}
