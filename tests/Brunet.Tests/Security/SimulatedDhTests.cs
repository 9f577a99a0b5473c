using System.Security.Cryptography;
using Brunet.Config;
using Brunet.Node;
using Brunet.Security;

namespace Brunet.Tests.Security;

public sealed class SimulatedDhTests
{
    [Test]
    public void Agree_TwoSimulatedKeyPairs_BothSidesGetTheSameSecret()
    {
        using X25519KeyPair a = X25519KeyPair.FromPrivateKeySimulated(RandomNumberGenerator.GetBytes(32));
        using X25519KeyPair b = X25519KeyPair.GenerateLike(a);
        using X25519KeyPair c = X25519KeyPair.GenerateLike(a);
        byte[] ab = new byte[32], ba = new byte[32], ac = new byte[32];

        Assert.That(a.TryAgree(b.PublicKey, ab), Is.True);
        Assert.That(b.TryAgree(a.PublicKey, ba), Is.True);
        Assert.That(a.TryAgree(c.PublicKey, ac), Is.True);

        Assert.That(b.IsSimulated, Is.True, "an ephemeral key follows its static key's kind");
        Assert.That(ab, Is.EqualTo(ba));
        Assert.That(ab, Is.Not.EqualTo(ac), "another peer, another secret");
        Assert.That(ab, Is.Not.EqualTo(new byte[32]));
    }

    [Test]
    public void Handshake_BetweenSimulatedIdentities_EstablishesAndCarriesMessages()
    {
        using NodeIdentity initiator = Simulated();
        using NodeIdentity responder = Simulated();
        var h = new SecureEdgeHarness(initiator: initiator, responder: responder);
        h.Start();

        Assert.That(h.BothEstablished, Is.True);
        Assert.That(h.Initiator.Peer!.Address, Is.EqualTo(responder.Address));
        Assert.That(h.Initiator.TrySend("hello"u8), Is.True);
        h.Pair.Pump();
        Assert.That(h.ResponderHandler.Messages.Select(m => System.Text.Encoding.ASCII.GetString(m)), Is.EqualTo(new[] { "hello" }));
    }

    [Test]
    public void Handshake_SimulatedWithRealIdentity_NeverEstablishes()
    {
        using NodeIdentity simulated = Simulated();
        var h = new SecureEdgeHarness(initiator: simulated, responder: NodeIdentity.Generate());
        h.Start();
        h.Run(TimeSpan.FromSeconds(2));

        Assert.That(h.Initiator.IsEstablished || h.Responder.IsEstablished, Is.False);
    }

    [Test]
    public void RealIdentities_AreNeverSimulated()
    {
        string dir = Directory.CreateTempSubdirectory("simdh").FullName;
        try
        {
            string configPath = Path.Combine(dir, "node.config");
            File.WriteAllText(configPath, """
                <NodeConfig>
                  <BrunetNamespace>t</BrunetNamespace>
                  <EdgeListeners><EdgeListener type="udp"><port>0</port></EdgeListener></EdgeListeners>
                  <Security><KeyPath>node.key</KeyPath></Security>
                </NodeConfig>
                """);
            using NodeIdentity loaded = NodeSetup.LoadIdentity(NodeConfigLoader.Load(configPath));
            using NodeIdentity reloaded = NodeSetup.LoadIdentity(NodeConfigLoader.Load(configPath));
            using NodeIdentity generated = NodeIdentity.Generate();
            using NodeIdentity fromKeys = NodeIdentity.FromPrivateKeys(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

            Assert.That(loaded.StaticKeyPair.IsSimulated, Is.False);
            Assert.That(reloaded.StaticKeyPair.IsSimulated, Is.False);
            Assert.That(generated.StaticKeyPair.IsSimulated, Is.False);
            Assert.That(fromKeys.StaticKeyPair.IsSimulated, Is.False);
            Assert.That(X25519KeyPair.GenerateLike(generated.StaticKeyPair).IsSimulated, Is.False);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void ForSimulation_SameKeys_DifferentAddressThanReal()
    {
        byte[] staticKey = RandomNumberGenerator.GetBytes(32);
        byte[] signingKey = RandomNumberGenerator.GetBytes(32);
        using NodeIdentity simulated = NodeIdentity.ForSimulation(staticKey, signingKey);
        using NodeIdentity real = NodeIdentity.FromPrivateKeys(staticKey, signingKey);

        Assert.That(simulated.StaticKeyPair.IsSimulated, Is.True);
        Assert.That(simulated.Address, Is.Not.EqualTo(real.Address), "a simulated key can never pass for a real node's");
    }

    private static NodeIdentity Simulated() => NodeIdentity.ForSimulation(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
}
