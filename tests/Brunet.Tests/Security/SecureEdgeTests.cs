using Brunet.Addressing;
using Brunet.Security;

namespace Brunet.Tests.Security;

public sealed class SecureEdgeTests
{
    [Test]
    public void Handshake_LosslessEdge_EstablishesAndMessagesFlowBothWays()
    {
        var h = new SecureEdgeHarness();
        h.Start();

        Assert.That(h.BothEstablished, Is.True);
        Assert.That(h.InitiatorHandler.EstablishedCount, Is.EqualTo(1));
        Assert.That(h.ResponderHandler.EstablishedCount, Is.EqualTo(1));
        Assert.That(h.Initiator.Peer!.Address, Is.EqualTo(SecureEdgeHarness.ResponderIdentity.Address));
        Assert.That(h.Responder.Peer!.Address, Is.EqualTo(SecureEdgeHarness.InitiatorIdentity.Address));
        Assert.That(h.Responder.Peer.StaticPublicKey, Is.EqualTo(SecureEdgeHarness.InitiatorIdentity.StaticPublicKey.ToArray()));
        Assert.That(h.Responder.Peer.SigningPublicKey, Is.EqualTo(SecureEdgeHarness.InitiatorIdentity.SigningPublicKey.ToArray()));
        // Each side reports where it sees the other; the peer learns its own reflexive address.
        Assert.That(h.Initiator.Peer.ObservedAddress, Is.EqualTo(h.Pair.B.RemoteAddress.ToString()));
        Assert.That(h.Responder.Peer.ObservedAddress, Is.EqualTo(h.Pair.A.RemoteAddress.ToString()));

        Assert.That(h.Initiator.TrySend("hello"u8), Is.True);
        Assert.That(h.Responder.TrySend("world"u8), Is.True);
        h.Pair.Pump();

        Assert.That(h.ResponderHandler.Messages.Select(m => System.Text.Encoding.ASCII.GetString(m)), Is.EqualTo(new[] { "hello" }));
        Assert.That(h.InitiatorHandler.Messages.Select(m => System.Text.Encoding.ASCII.GetString(m)), Is.EqualTo(new[] { "world" }));
        Assert.That(h.Initiator.MessagesSent, Is.EqualTo(1));
        Assert.That(h.Initiator.MessagesReceived, Is.EqualTo(1));
        Assert.That(h.Pair.Sent.Where(s => s.Datagram[0] == SecureEdge.TypeTransport).All(s => !ContainsAscii(s.Datagram, "hello")), Is.True,
            "plaintext never on the wire");
    }

    [TestCase(SecureEdge.TypeMessage1)]
    [TestCase(SecureEdge.TypeMessage2)]
    [TestCase(SecureEdge.TypeMessage3)]
    public void Handshake_FirstCopyOfAMessageDropped_CompletesAfterRetransmit(byte type)
    {
        var h = new SecureEdgeHarness();
        bool dropped = false;
        h.Pair.Drop = (_, d) =>
        {
            if (!dropped && d[0] == type)
            {
                dropped = true;
                return true;
            }
            return false;
        };
        h.Start();
        Assert.That(h.Responder.IsEstablished, Is.False, "the drop must have stalled the responder");

        h.Run(TimeSpan.FromSeconds(3));

        Assert.That(dropped, Is.True);
        Assert.That(h.BothEstablished, Is.True);
        Assert.That(h.InitiatorHandler.EstablishedCount, Is.EqualTo(1));
        Assert.That(h.ResponderHandler.EstablishedCount, Is.EqualTo(1));
        Assert.That(h.Initiator.TrySend([1, 2, 3]), Is.True);
        h.Pair.Pump();
        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
    }

    [Test]
    public void Handshake_Message3Lost_EarlyTransportPacketsAreDroppedAndCounted()
    {
        var h = new SecureEdgeHarness();
        h.Pair.Drop = (_, d) => d[0] == SecureEdge.TypeMessage3;
        h.Start();
        Assert.That(h.Initiator.IsEstablished, Is.True, "the initiator is established once it sent message 3");

        Assert.That(h.Initiator.TrySend([9]), Is.True);
        h.Pair.Pump();
        Assert.That(h.Responder.PacketsDropped, Is.EqualTo(1));
        Assert.That(h.ResponderHandler.Messages, Is.Empty);

        h.Pair.Drop = null;
        h.Run(TimeSpan.FromSeconds(2));
        Assert.That(h.Responder.IsEstablished, Is.True);
        Assert.That(h.Initiator.TrySend([10]), Is.True);
        h.Pair.Pump();
        Assert.That(h.ResponderHandler.Messages.Single(), Is.EqualTo(new byte[] { 10 }));
    }

    [Test]
    public void Handshake_EverythingDropped_TimesOut()
    {
        var h = new SecureEdgeHarness();
        h.Pair.Drop = (_, _) => true;
        h.Start();

        h.Run(TimeSpan.FromSeconds(11));

        Assert.That(h.InitiatorHandler.ClosedReasons, Is.EqualTo(new[] { "handshake timed out" }));
        Assert.That(h.ResponderHandler.ClosedReasons, Is.EqualTo(new[] { "handshake timed out" }));
        Assert.That(h.Pair.A.IsClosed && h.Pair.B.IsClosed, Is.True, "closing a secure edge closes its edge");
        int message1Copies = h.Pair.Sent.Count(s => s.Datagram[0] == SecureEdge.TypeMessage1);
        Assert.That(message1Copies, Is.InRange(9, 11), "message 1 is repeated every second");
    }

    [Test]
    public void Handshake_DifferentNamespaces_NeverEstablish()
    {
        var h = new SecureEdgeHarness(new HandshakeOptions("red"), new HandshakeOptions("blue"));
        h.Start();
        h.Run(TimeSpan.FromSeconds(12));

        Assert.That(h.InitiatorHandler.EstablishedCount + h.ResponderHandler.EstablishedCount, Is.Zero);
        Assert.That(h.Initiator.IsClosed && h.Responder.IsClosed, Is.True);
        Assert.That(h.InitiatorHandler.ClosedReasons.Single(), Is.EqualTo("malformed handshake message"));
        Assert.That(h.ResponderHandler.ClosedReasons.Single(), Is.EqualTo("handshake timed out"));
    }

    [Test]
    public void Handshake_ResponderClaimsAnotherAddress_InitiatorRefuses()
    {
        Address victim = Address.Random(new Random(1));
        var h = new SecureEdgeHarness(responderOptions: new HandshakeOptions("test") { ClaimedAddressOverride = victim });
        h.Start();

        Assert.That(h.InitiatorHandler.EstablishedCount, Is.Zero);
        Assert.That(h.InitiatorHandler.ClosedReasons.Single(), Is.EqualTo("peer key does not match its claimed address"));
        Assert.That(h.Initiator.Peer, Is.Null);
    }

    [Test]
    public void Handshake_InitiatorClaimsAnotherAddress_ResponderRefuses()
    {
        Address victim = Address.Random(new Random(2));
        var h = new SecureEdgeHarness(initiatorOptions: new HandshakeOptions("test") { ClaimedAddressOverride = victim });
        h.Start();

        Assert.That(h.ResponderHandler.EstablishedCount, Is.Zero);
        Assert.That(h.ResponderHandler.ClosedReasons.Single(), Is.EqualTo("peer key does not match its claimed address"));
        Assert.That(h.Responder.Peer, Is.Null);
    }

    [Test]
    public void Handshake_ExpectedPeerMismatch_Refused()
    {
        var h = new SecureEdgeHarness(initiatorExpects: Address.Random(new Random(3)));
        h.Start();

        Assert.That(h.InitiatorHandler.EstablishedCount, Is.Zero);
        Assert.That(h.InitiatorHandler.ClosedReasons.Single(), Is.EqualTo("peer is not the expected node"));
    }

    [Test]
    public void Handshake_ExpectedPeerMatches_Establishes()
    {
        var h = new SecureEdgeHarness(initiatorExpects: SecureEdgeHarness.ResponderIdentity.Address);
        h.Start();

        Assert.That(h.BothEstablished, Is.True);
    }

    [Test]
    public void Handshake_AuthorizeRefuses_ClosesWithItsReasonAndSawTheCertificate()
    {
        PeerIdentity? seen = null;
        var responderOptions = new HandshakeOptions("test")
        {
            Authorize = peer =>
            {
                seen = peer;
                return "not a group member";
            },
        };
        var initiatorOptions = new HandshakeOptions("test") { LocalCertificate = [1, 2, 3, 4] };
        var h = new SecureEdgeHarness(initiatorOptions, responderOptions);
        h.Start();

        Assert.That(h.ResponderHandler.EstablishedCount, Is.Zero);
        Assert.That(h.ResponderHandler.ClosedReasons.Single(), Is.EqualTo("not a group member"));
        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!.Certificate, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(seen.Address, Is.EqualTo(SecureEdgeHarness.InitiatorIdentity.Address));
    }

    [Test]
    public void OnReceived_ReplayedTransportPacket_DroppedAndCounted()
    {
        var h = new SecureEdgeHarness();
        h.Start();
        h.Initiator.TrySend([42]);
        h.Pair.Pump();
        byte[] packet = h.Pair.Sent.Last(s => s.Datagram[0] == SecureEdge.TypeTransport).Datagram;

        h.Pair.B.Inject(packet);
        h.Pair.B.Inject(packet);

        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
        Assert.That(h.Responder.ReplaysDropped, Is.EqualTo(2));
        Assert.That(h.Responder.IsEstablished, Is.True);
    }

    [Test]
    public void OnReceived_ReorderedPackets_AllAcceptedOnce()
    {
        var h = new SecureEdgeHarness();
        h.Start();
        h.Pair.ReverseOrder = true;
        for (int i = 0; i < 100; i++)
        {
            h.Initiator.TrySend([(byte)i]);
        }
        h.Pair.Pump();

        Assert.That(h.ResponderHandler.Messages.Select(m => (int)m[0]).Order(), Is.EqualTo(Enumerable.Range(0, 100)));
        Assert.That(h.Responder.ReplaysDropped, Is.Zero);
    }

    [TestCase(0, Description = "type")]
    [TestCase(1, Description = "epoch")]
    [TestCase(5, Description = "counter")]
    [TestCase(12, Description = "ciphertext")]
    [TestCase(-1, Description = "tag")]
    public void OnReceived_TamperedTransportPacket_DroppedAndCounted(int index)
    {
        var h = new SecureEdgeHarness();
        h.Start();
        h.Initiator.TrySend("some plaintext"u8);
        byte[] packet = h.Pair.Sent.Last(s => s.Datagram[0] == SecureEdge.TypeTransport).Datagram.ToArray();
        h.Pair.Drop = (_, _) => true;
        h.Pair.Pump();
        int at = index < 0 ? packet.Length + index : index;
        packet[at] ^= 0x01;

        h.Pair.B.Inject(packet);

        Assert.That(h.ResponderHandler.Messages, Is.Empty);
        Assert.That(h.Responder.DecryptFailures + h.Responder.PacketsDropped, Is.EqualTo(1));
        Assert.That(h.Responder.IsEstablished, Is.True, "a forged packet never closes an established edge");
    }

    [Test]
    public void Rekey_ByMessageCount_KeepsTheFlowWorking()
    {
        var options = new HandshakeOptions("test") { RekeyAfterMessages = 5 };
        var h = new SecureEdgeHarness(options, options);
        h.Start();

        for (int i = 0; i < 53; i++)
        {
            Assert.That(h.Initiator.TrySend([(byte)i]), Is.True);
            Assert.That(h.Responder.TrySend([(byte)(i + 100)]), Is.True);
            if (i % 7 == 0)
            {
                h.Pair.Pump();
            }
        }
        h.Pair.Pump();

        Assert.That(h.Initiator.SendEpoch, Is.EqualTo(10));
        Assert.That(h.Responder.SendEpoch, Is.EqualTo(10));
        Assert.That(h.ResponderHandler.Messages.Select(m => (int)m[0]), Is.EqualTo(Enumerable.Range(0, 53)));
        Assert.That(h.InitiatorHandler.Messages, Has.Count.EqualTo(53));
        Assert.That(h.Responder.DecryptFailures + h.Initiator.DecryptFailures, Is.Zero);
    }

    [Test]
    public void Rekey_LatePacketOfThePreviousEpoch_IsStillAccepted()
    {
        var options = new HandshakeOptions("test") { RekeyAfterMessages = 3 };
        var h = new SecureEdgeHarness(options, options);
        h.Start();
        h.Pair.ReverseOrder = true;      // the epoch-1 packets arrive before the last epoch-0 ones
        for (int i = 0; i < 5; i++)
        {
            h.Initiator.TrySend([(byte)i]);
        }
        h.Pair.Pump();

        Assert.That(h.ResponderHandler.Messages.Select(m => (int)m[0]).Order(), Is.EqualTo(Enumerable.Range(0, 5)));
    }

    [Test]
    public void Rekey_ByTime_EpochAdvancesAndFlowContinues()
    {
        var options = new HandshakeOptions("test") { RekeyAfterTime = TimeSpan.FromSeconds(5) };
        var h = new SecureEdgeHarness(options, options);
        h.Start();
        h.Initiator.TrySend([1]);
        h.Run(TimeSpan.FromSeconds(6));

        Assert.That(h.Initiator.SendEpoch, Is.EqualTo(1));
        h.Initiator.TrySend([2]);
        h.Run(TimeSpan.FromSeconds(30));   // idle epochs do not advance
        Assert.That(h.Initiator.SendEpoch, Is.EqualTo(2));
        h.Initiator.TrySend([3]);
        h.Pair.Pump();

        Assert.That(h.ResponderHandler.Messages.Select(m => (int)m[0]), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void TrySend_BeforeEstablishedOrTooLongOrClosed_ReturnsFalse()
    {
        var h = new SecureEdgeHarness();
        Assert.That(h.Initiator.TrySend([1]), Is.False, "not attached");
        h.Start();
        Assert.That(h.Initiator.MaxPlaintextSize, Is.EqualTo(1472 - SecureEdge.TransportOverhead));
        Assert.That(h.Initiator.TrySend(new byte[h.Initiator.MaxPlaintextSize]), Is.True);
        Assert.That(h.Initiator.TrySend(new byte[h.Initiator.MaxPlaintextSize + 1]), Is.False);

        h.Initiator.Close("bye");
        h.Initiator.Close("second reason is ignored");

        Assert.That(h.Initiator.TrySend([1]), Is.False);
        Assert.That(h.InitiatorHandler.ClosedReasons, Is.EqualTo(new[] { "bye" }));
        Assert.That(h.Pair.A.CloseReason, Is.EqualTo("bye"));
    }

    [Test]
    public void OnReceived_RandomJunk_NeverThrows()
    {
        var random = new Random(12345);
        TestContext.Out.WriteLine("seed 12345");
        // During the handshake, on fresh pairs.
        for (int round = 0; round < 200; round++)
        {
            var fresh = new SecureEdgeHarness();
            fresh.Responder.Attach(fresh.Pair.B);
            fresh.Initiator.Attach(fresh.Pair.A);
            for (int i = 0; i < 5; i++)
            {
                byte[] junk = RandomJunk(random);
                Assert.DoesNotThrow(() => fresh.Pair.B.Inject(junk));
                Assert.DoesNotThrow(() => fresh.Pair.A.Inject(junk));
            }
            Assert.DoesNotThrow(() => fresh.Pair.Pump());
        }

        // Established: junk is dropped and never closes the edge.
        var h = new SecureEdgeHarness();
        h.Start();
        for (int i = 0; i < 3000; i++)
        {
            byte[] junk = RandomJunk(random);
            Assert.DoesNotThrow(() => h.Pair.B.Inject(junk));
            Assert.DoesNotThrow(() => h.Pair.A.Inject(junk));
        }
        Assert.That(h.BothEstablished, Is.True);
        Assert.That(h.ResponderHandler.Messages, Is.Empty);
        Assert.That(h.Initiator.TrySend([7]), Is.True);
        h.Pair.Pump();
        Assert.That(h.ResponderHandler.Messages.Single(), Is.EqualTo(new byte[] { 7 }));
    }

    [Test]
    public void OnReceived_TruncatedValidMessages_NeverThrow()
    {
        var recorder = new SecureEdgeHarness(new HandshakeOptions("test") { LocalCertificate = new byte[100] });
        recorder.Start();
        recorder.Initiator.TrySend(new byte[50]);
        recorder.Pair.Pump();
        List<(FakeEdgePair.FakeEdge To, byte[] Datagram)> valid = recorder.Pair.Sent;
        Assert.That(valid.Select(s => s.Datagram[0]).Distinct().Order(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));

        foreach ((FakeEdgePair.FakeEdge to, byte[] datagram) in valid)
        {
            for (int length = 0; length < datagram.Length; length++)
            {
                var fresh = new SecureEdgeHarness();
                fresh.Responder.Attach(fresh.Pair.B);
                fresh.Initiator.Attach(fresh.Pair.A);
                byte[] truncated = datagram[..length];
                FakeEdgePair.FakeEdge target = to == recorder.Pair.A ? fresh.Pair.A : fresh.Pair.B;
                Assert.DoesNotThrow(() => target.Inject(truncated), $"type {datagram[0]} cut to {length}");
                Assert.DoesNotThrow(() => recorder.Pair.B.Inject(truncated));
                Assert.DoesNotThrow(() => recorder.Pair.A.Inject(truncated));
            }
        }
        Assert.That(recorder.BothEstablished, Is.True, "truncations never close an established edge");
    }

    private static byte[] RandomJunk(Random random)
    {
        byte[] junk = new byte[random.Next(0, 1600)];
        random.NextBytes(junk);
        if (junk.Length > 0 && random.Next(2) == 0)
        {
            junk[0] = (byte)random.Next(1, 5);     // make half of them look like real packet types
        }
        return junk;
    }

    private static bool ContainsAscii(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(needle)) >= 0;
}
