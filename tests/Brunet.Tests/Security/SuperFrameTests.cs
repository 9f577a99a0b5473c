using System.Buffers.Binary;
using Brunet.Security;

namespace Brunet.Tests.Security;

/// <summary>Super-frames: negotiation, chunking, reassembly (order, loss, duplicates) and hostile chunk headers.</summary>
public sealed class SuperFrameTests
{
    // What a 1200-byte virtual MTU's data datagram takes: the chunks must not be larger.
    private const int MaxDatagram = 1228;

    private static SecureEdgeHarness Started(bool initiatorAccepts = true, bool responderAccepts = true)
    {
        var h = new SecureEdgeHarness(new HandshakeOptions("test") { AcceptSuperFrames = initiatorAccepts },
            new HandshakeOptions("test") { AcceptSuperFrames = responderAccepts });
        h.Start();
        return h;
    }

    private static byte[] Payload(int length, int seed = 1)
    {
        byte[] payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    private static List<byte[]> Chunks(SecureEdgeHarness h) =>
        [.. h.Pair.Sent.Where(s => s.To == h.Pair.B && s.Datagram[0] == SecureEdge.TypeSuperChunk).Select(s => s.Datagram)];

    // Sends one super-frame from the initiator without delivering it: its chunk datagrams, in send order.
    private static List<byte[]> Capture(SecureEdgeHarness h, byte[] payload)
    {
        int before = Chunks(h).Count;
        h.Pair.Drop = (to, d) => to == h.Pair.B && d[0] == SecureEdge.TypeSuperChunk;
        Assert.That(h.Initiator.TrySendSuperFrame(payload, MaxDatagram), Is.True);
        h.Pair.Pump();
        h.Pair.Drop = null;
        return Chunks(h)[before..];
    }

    [Test]
    public void Negotiation_BothAccept_EachSideLearnsThePeerTakesThem()
    {
        SecureEdgeHarness h = Started();

        Assert.That(h.Initiator.PeerAcceptsSuperFrames, Is.True);
        Assert.That(h.Responder.PeerAcceptsSuperFrames, Is.True);
        Assert.That(h.InitiatorHandler.Messages, Is.Empty, "features are this layer's, not the handler's");
        Assert.That(h.ResponderHandler.Messages, Is.Empty);
    }

    [Test]
    public void Negotiation_PeerWithoutSuperFrames_FallsBackAndStopsAsking()
    {
        SecureEdgeHarness h = Started(responderAccepts: false);
        h.Run(TimeSpan.FromSeconds(30));

        Assert.That(h.Initiator.PeerAcceptsSuperFrames, Is.False);
        Assert.That(h.Initiator.TrySendSuperFrame(Payload(10_000), MaxDatagram), Is.False, "no super-frames to a peer that did not say it takes them");
        int features = h.Pair.Sent.Count(s => s.To == h.Pair.B && s.Datagram[0] == SecureEdge.TypeFeatures);
        Assert.That(features, Is.EqualTo(SecureEdge.MaxFeatureSends), "asks a few times, then gives up");
        Assert.That(h.Initiator.TrySend("still works"u8), Is.True);
        h.Pair.Pump();
        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
    }

    [Test]
    public void Negotiation_OlderPeerDropsTheFeaturesType_NoSuperFrames()
    {
        // An older build does not know type 6: it drops it, as the filter does here, and sends none.
        var h = new SecureEdgeHarness(new HandshakeOptions("test") { AcceptSuperFrames = true }, new HandshakeOptions("test"));
        h.Pair.Drop = (to, d) => to == h.Pair.B && d[0] == SecureEdge.TypeFeatures;
        h.Start();
        h.Run(TimeSpan.FromSeconds(30));

        Assert.That(h.Initiator.PeerAcceptsSuperFrames, Is.False);
        Assert.That(h.Initiator.TrySendSuperFrame(Payload(10_000), MaxDatagram), Is.False);
        Assert.That(h.BothEstablished, Is.True);
    }

    [Test]
    public void Negotiation_FirstFeaturesLost_CompletesOnResend()
    {
        var h = new SecureEdgeHarness(new HandshakeOptions("test") { AcceptSuperFrames = true }, new HandshakeOptions("test") { AcceptSuperFrames = true });
        int dropped = 0;
        h.Pair.Drop = (_, d) => d[0] == SecureEdge.TypeFeatures && dropped++ < 2;
        h.Start();
        Assert.That(h.Initiator.PeerAcceptsSuperFrames || h.Responder.PeerAcceptsSuperFrames, Is.False);

        h.Run(TimeSpan.FromSeconds(3));

        Assert.That(h.Initiator.PeerAcceptsSuperFrames, Is.True);
        Assert.That(h.Responder.PeerAcceptsSuperFrames, Is.True);
    }

    [Test]
    public void SuperFrame_64KB_OneMessageInChunksNoLargerThanADatagram()
    {
        SecureEdgeHarness h = Started();
        byte[] payload = Payload(65_535 + 6);

        Assert.That(h.Initiator.TrySendSuperFrame(payload, MaxDatagram), Is.True);
        h.Pair.Pump();

        List<byte[]> chunks = Chunks(h);
        int chunkSize = MaxDatagram - SuperChunkHeader.Size;
        Assert.That(chunks, Has.Count.EqualTo((payload.Length + 16 + chunkSize - 1) / chunkSize));
        Assert.That(chunks.Take(chunks.Count - 1).All(c => c.Length == MaxDatagram), Is.True, "all chunks equal but the last (UDP GSO)");
        Assert.That(chunks[^1].Length, Is.LessThanOrEqualTo(MaxDatagram));
        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
        Assert.That(h.ResponderHandler.Messages[0], Is.EqualTo(payload));
        Assert.That(h.Responder.SuperFramesReceived, Is.EqualTo(1));
        Assert.That(h.Initiator.SuperFramesSent, Is.EqualTo(1));
    }

    [Test]
    public void SuperFrame_ChunksReversed_Reassembled()
    {
        SecureEdgeHarness h = Started();
        byte[] payload = Payload(30_000);
        List<byte[]> chunks = Capture(h, payload);

        for (int i = chunks.Count - 1; i >= 0; i--)
        {
            h.Pair.B.Inject(chunks[i]);
        }

        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
        Assert.That(h.ResponderHandler.Messages[0], Is.EqualTo(payload));
    }

    [Test]
    public void SuperFrame_InterleavedMessages_BothReassembled()
    {
        SecureEdgeHarness h = Started();
        byte[] first = Payload(20_000, 1);
        byte[] second = Payload(20_000, 2);
        List<byte[]> a = Capture(h, first);
        List<byte[]> b = Capture(h, second);

        for (int i = 0; i < a.Count; i++)
        {
            h.Pair.B.Inject(b[i]);
            h.Pair.B.Inject(a[i]);
        }

        Assert.That(h.ResponderHandler.Messages, Is.EqualTo(new[] { second, first }));
    }

    [Test]
    public void SuperFrame_DuplicateChunks_DroppedAndCounted_OneDelivery()
    {
        SecureEdgeHarness h = Started();
        byte[] payload = Payload(10_000);
        List<byte[]> chunks = Capture(h, payload);

        h.Pair.B.Inject(chunks[0]);
        h.Pair.B.Inject(chunks[0]);
        foreach (byte[] chunk in chunks.Skip(1))
        {
            h.Pair.B.Inject(chunk);
        }
        h.Pair.B.Inject(chunks[3]);     // after delivery: a replay

        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
        Assert.That(h.Responder.SuperChunksDuplicate, Is.EqualTo(1));
        Assert.That(h.Responder.SuperChunksStale, Is.EqualTo(1));
    }

    [Test]
    public void SuperFrame_ReplayOfAWholeMessage_NotDeliveredTwice()
    {
        SecureEdgeHarness h = Started();
        List<byte[]> chunks = Capture(h, Payload(5_000));
        foreach (byte[] chunk in chunks)
        {
            h.Pair.B.Inject(chunk);
        }
        foreach (byte[] chunk in chunks)
        {
            h.Pair.B.Inject(chunk);
        }

        Assert.That(h.ResponderHandler.Messages, Has.Count.EqualTo(1));
        Assert.That(h.Responder.SuperChunksStale, Is.EqualTo(chunks.Count));
    }

    [Test]
    public void SuperFrame_MissingChunks_NewerMessageEvictsTheOldestAndIsDelivered()
    {
        SecureEdgeHarness h = Started();
        for (int m = 0; m < SuperFrameAssembler.SlotCount; m++)
        {
            List<byte[]> incomplete = Capture(h, Payload(8_000, m));
            foreach (byte[] chunk in incomplete.Skip(1))     // chunk 0 lost
            {
                h.Pair.B.Inject(chunk);
            }
        }
        Assert.That(h.Responder.SuperFramesIncomplete, Is.Zero);

        byte[] payload = Payload(8_000, 99);
        foreach (byte[] chunk in Capture(h, payload))
        {
            h.Pair.B.Inject(chunk);
        }

        Assert.That(h.ResponderHandler.Messages, Is.EqualTo(new[] { payload }));
        Assert.That(h.Responder.SuperFramesIncomplete, Is.EqualTo(1));
    }

    [Test]
    public void SuperFrame_ForgedTag_DroppedAndCounted()
    {
        SecureEdgeHarness h = Started();
        List<byte[]> chunks = Capture(h, Payload(10_000));
        chunks[2][SuperChunkHeader.Size + 7] ^= 0x01;

        foreach (byte[] chunk in chunks)
        {
            h.Pair.B.Inject(chunk);
        }

        Assert.That(h.ResponderHandler.Messages, Is.Empty);
        Assert.That(h.Responder.DecryptFailures, Is.EqualTo(1));
        Assert.That(h.Responder.IsEstablished, Is.True);
    }

    [Test]
    public void SuperFrame_ChunkClaimingAnotherTotal_FailsTheTag()
    {
        // Total, chunk size and count are authenticated (associated data): a chunk of the same counter that agrees
        // with the others can only be the sender's.
        SecureEdgeHarness h = Started();
        List<byte[]> chunks = Capture(h, Payload(10_000));
        chunks[0][1] ^= 0x01;     // the epoch: no other field can change without breaking the chunk's own checks

        foreach (byte[] chunk in chunks)
        {
            h.Pair.B.Inject(chunk);
        }

        Assert.That(h.ResponderHandler.Messages, Is.Empty);
        Assert.That(h.Responder.SuperChunksMalformed + h.Responder.PacketsDropped + h.Responder.DecryptFailures, Is.GreaterThan(0));
    }

    private static byte[] Chunk(int total, int chunkSize, int count, int index, int length, ulong counter = 1000)
    {
        byte[] datagram = new byte[SuperChunkHeader.Size + length];
        new SuperChunkHeader(0, counter, total, chunkSize, count, index).WriteTo(datagram);
        return datagram;
    }

    private static IEnumerable<TestCaseData> HostileChunks()
    {
        yield return new TestCaseData(Chunk(5000, 1210, 5, 5, 1210)).SetName("Hostile_IndexNotBelowCount");
        yield return new TestCaseData(Chunk(5000, 1210, 0, 0, 1210)).SetName("Hostile_CountZero");
        yield return new TestCaseData(Chunk(70_000, 1000, 70, 0, 1000)).SetName("Hostile_TooManyChunksAndTooLong");
        yield return new TestCaseData(Chunk(60_000, 1210, 65, 0, 1210)).SetName("Hostile_CountAboveLimit");
        yield return new TestCaseData(Chunk(5000, 1210, 9, 0, 1210)).SetName("Hostile_CountDisagreesWithTotal");
        yield return new TestCaseData(Chunk(SuperChunkHeader.MaxTotal + 1, 1210, 55, 0, 1210)).SetName("Hostile_TotalTooLong");
        yield return new TestCaseData(Chunk(16, 1210, 1, 0, 16)).SetName("Hostile_TotalNoLongerThanATag");
        yield return new TestCaseData(Chunk(5000, 1210, 5, 0, 1000)).SetName("Hostile_TruncatedChunk");
        yield return new TestCaseData(Chunk(5000, 1210, 5, 4, 1210)).SetName("Hostile_LastChunkTooLong");
        yield return new TestCaseData(Chunk(5000, 0, 5, 0, 10)).SetName("Hostile_ChunkSizeZero");
        yield return new TestCaseData(Chunk(5000, 1210, 5, 0, 1210)[..SuperChunkHeader.Size]).SetName("Hostile_HeaderOnly");
        yield return new TestCaseData(Chunk(5000, 1210, 5, 0, 1210)[..10]).SetName("Hostile_ShortHeader");
    }

    [TestCaseSource(nameof(HostileChunks))]
    public void SuperFrame_HostileHeader_DroppedAndCounted(byte[] datagram)
    {
        SecureEdgeHarness h = Started();

        h.Pair.B.Inject(datagram);

        Assert.That(h.Responder.SuperChunksMalformed, Is.EqualTo(1));
        Assert.That(h.ResponderHandler.Messages, Is.Empty);
        Assert.That(h.Responder.IsEstablished, Is.True);
    }

    [Test]
    public void SuperFrame_ChunksOfOneCounterThatDisagree_SecondDroppedAsMalformed()
    {
        SecureEdgeHarness h = Started();

        h.Pair.B.Inject(Chunk(5000, 1210, 5, 0, 1210));
        h.Pair.B.Inject(Chunk(6000, 1210, 5, 1, 1210));

        Assert.That(h.Responder.SuperChunksMalformed, Is.EqualTo(1));
    }

    [Test]
    public void SuperFrame_ToASideThatDoesNotAcceptThem_Dropped()
    {
        SecureEdgeHarness h = Started(responderAccepts: false);

        h.Pair.B.Inject(Chunk(5000, 1210, 5, 0, 1210));

        Assert.That(h.Responder.SuperChunksMalformed, Is.EqualTo(1));
    }

    [Test]
    public void SuperFrame_TooLargeOrTooManyChunks_Refused()
    {
        SecureEdgeHarness h = Started();

        Assert.That(h.Initiator.TrySendSuperFrame(Payload(SuperChunkHeader.MaxPlaintext + 1), 65_000), Is.False);
        Assert.That(h.Initiator.TrySendSuperFrame(Payload(60_000), 600), Is.False, "more than 64 chunks");
        Assert.That(SecureEdge.FitsSuperFrame(60_000, MaxDatagram), Is.True);
    }

    [Test]
    public void ChunkHeader_RoundTrips()
    {
        var header = new SuperChunkHeader(3, 0x0102030405060708, 65_551, 1210, 55, 54);
        byte[] datagram = new byte[SuperChunkHeader.Size + header.LengthOf(54)];
        header.WriteTo(datagram);

        Assert.That(SuperChunkHeader.TryRead(datagram, out SuperChunkHeader read, out ReadOnlySpan<byte> chunk), Is.True);
        Assert.That(read, Is.EqualTo(header));
        Assert.That(chunk.Length, Is.EqualTo(65_551 - (54 * 1210)));
        Assert.That(BinaryPrimitives.ReadUInt64BigEndian(datagram.AsSpan(2)), Is.EqualTo(0x0102030405060708));
    }
}
