using System.Buffers;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging;
using Brunet.Node;
using Brunet.Tests.Messaging;
using Brunet.Transport;

namespace Brunet.Tests.Linking;

public class LinkCodecTests
{
    private static readonly Random s_random = new(5);
    private static readonly Address s_a = Address.Random(s_random);
    private static readonly Address s_b = Address.Random(s_random);
    private static readonly Address s_c = Address.Random(s_random);

    private static readonly PeerInfo s_peer = new(s_a,
    [
        TransportAddress.Parse("brunet.udp://127.0.0.1:4000"),
        TransportAddress.Parse("brunet.tcp://[2001:db8::1]:443"),
        TransportAddress.Memory("n7"),
    ]);

    private static readonly LinkStatus s_status = new(
        s_a,
        [s_b, s_c],
        [s_c],
        [
            new LinkReport(s_b, ConnectionType.Near | ConnectionType.Shortcut, TransportKind.Udp, "brunet.udp://10.0.0.2:4000"),
            new LinkReport(s_c, ConnectionType.Leaf, TransportKind.Tcp, "brunet.tcp://10.0.0.3:4000"),
        ],
        [new EdgeReport(TransportKind.Udp, "brunet.udp://10.0.0.2:4000", true), new EdgeReport(TransportKind.Memory, "brunet.mem://x", false)],
        3,
        "10.254.0.7");

    private static readonly NodeInfo s_info = new(s_a, "ns", ["brunet.udp://127.0.0.1:4000", "brunet.tcp://127.0.0.1:4001"], 12, 14, 123.5, "10.254.0.1");

    private static byte[] Encode(Action<WireWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new WireWriter(output));
        return output.WrittenSpan.ToArray();
    }

    private static void ParsePeer(byte[] input)
    {
        var reader = new WireReader(input);
        PeerInfo.Read(ref reader);
    }

    private static void ParsePeerList(byte[] input)
    {
        var reader = new WireReader(input);
        PeerInfo.ReadList(ref reader, 8);
    }

    private static void ParseStatus(byte[] input) => LinkStatus.Read(input);

    private static void ParseInfo(byte[] input) => NodeInfo.Read(input);

    // --- PeerInfo ---

    [Test]
    public void PeerInfo_Read_RoundTrips()
    {
        byte[] encoded = Encode(s_peer.WriteTo);
        var reader = new WireReader(encoded);
        PeerInfo read = PeerInfo.Read(ref reader);
        Assert.That(reader.IsEmpty, Is.True);
        Assert.That(read.Address, Is.EqualTo(s_peer.Address));
        Assert.That(read.TransportAddresses, Is.EqualTo(s_peer.TransportAddresses));
    }

    [Test]
    public void PeerInfo_Read_KnownAddresses_AreReusedOnlyWhenTheSame()
    {
        byte[] encoded = Encode(w => PeerInfo.WriteList(w, [s_peer, new PeerInfo(s_b, [TransportAddress.Memory("n8")])]));
        List<TransportAddress> same = [.. s_peer.TransportAddresses];
        List<TransportAddress> other = [TransportAddress.Memory("n9")];
        var reader = new WireReader(encoded);
        List<PeerInfo> read = PeerInfo.ReadList(ref reader, 4, a => a == s_a ? same : a == s_b ? other : null);
        Assert.That(reader.IsEmpty, Is.True);
        Assert.That(read[0].TransportAddresses, Is.SameAs(same));
        Assert.That(read[1].TransportAddresses, Is.Not.SameAs(other));
        Assert.That(read[1].TransportAddresses, Is.EqualTo(new[] { TransportAddress.Memory("n8") }));

        // A known list that is a prefix of what was sent is not the same.
        reader = new WireReader(Encode(s_peer.WriteTo));
        PeerInfo first = PeerInfo.Read(ref reader, _ => [s_peer.TransportAddresses[0]]);
        Assert.That(reader.IsEmpty, Is.True);
        Assert.That(first.TransportAddresses, Is.EqualTo(s_peer.TransportAddresses));
    }

    [Test]
    public void PeerInfo_ReadList_RoundTrips()
    {
        PeerInfo second = new(s_b, []);
        byte[] encoded = Encode(w => PeerInfo.WriteList(w, [s_peer, second]));
        var reader = new WireReader(encoded);
        List<PeerInfo> read = PeerInfo.ReadList(ref reader, 8);
        Assert.That(reader.IsEmpty, Is.True);
        Assert.That(read.Select(p => p.Address), Is.EqualTo(new[] { s_a, s_b }));
        Assert.That(read[0].TransportAddresses, Is.EqualTo(s_peer.TransportAddresses));
        Assert.That(read[1].TransportAddresses, Is.Empty);
    }

    [Test]
    public void PeerInfo_ReadList_MoreThanMax_Throws()
    {
        byte[] encoded = Encode(w => PeerInfo.WriteList(w, [s_peer, s_peer, s_peer]));
        Assert.Throws<WireFormatException>(() =>
        {
            var reader = new WireReader(encoded);
            PeerInfo.ReadList(ref reader, 2);
        });
    }

    [Test]
    public void PeerInfo_WriteTo_MoreThan16Addresses_WritesFirst16()
    {
        var many = Enumerable.Range(1, 20).Select(i => TransportAddress.Parse($"brunet.udp://127.0.0.1:{4000 + i}")).ToList();
        byte[] encoded = Encode(new PeerInfo(s_a, many).WriteTo);
        var reader = new WireReader(encoded);
        Assert.That(PeerInfo.Read(ref reader).TransportAddresses, Is.EqualTo(many.Take(PeerInfo.MaxTransportAddresses)));
    }

    [TestCase("brunet.udp://127.0.0.1:4000")]
    [TestCase("brunet.tcp://[2001:db8::1]:443")]
    [TestCase("brunet.mem://n7")]
    [TestCase("brunet.tunnel://abc,def")]
    [TestCase("brunet.udp://[::ffff:1.2.3.4]:5")]
    [TestCase("brunet.quic://1.2.3.4:5")]
    [TestCase("brunet.mem://")]
    [TestCase("://n7")]
    [TestCase("brunet.udp://1.2.3.4")]
    [TestCase("brunet.mem://nö")]
    public void TransportAddress_Utf8_AgreesWithTheTextForm(string text)
    {
        bool parsed = TransportAddress.TryParseUtf8(System.Text.Encoding.UTF8.GetBytes(text), out TransportAddress? fromBytes);
        Assert.That(parsed, Is.EqualTo(TransportAddress.TryParse(text, out TransportAddress? fromText)));
        Assert.That(fromBytes, Is.EqualTo(fromText));
        if (fromBytes is not null)
        {
            byte[] written = new byte[byte.MaxValue];
            int length = fromBytes.FormatUtf8(written);
            Assert.That(System.Text.Encoding.UTF8.GetString(written, 0, length), Is.EqualTo(fromBytes.ToString()));
        }
    }

    [Test]
    public void PeerInfo_Read_UnknownTransport_IsSkipped()
    {
        byte[] encoded = Encode(w =>
        {
            w.WriteAddress(s_a);
            w.WriteByte(2);
            w.WriteString8("brunet.quic://1.2.3.4:5");
            w.WriteString8("brunet.udp://1.2.3.4:5");
        });
        var reader = new WireReader(encoded);
        Assert.That(PeerInfo.Read(ref reader).TransportAddresses, Is.EqualTo(new[] { TransportAddress.Parse("brunet.udp://1.2.3.4:5") }));
    }

    [Test]
    public void PeerInfo_Read_TooManyAddresses_Throws()
    {
        byte[] encoded = Encode(w =>
        {
            w.WriteAddress(s_a);
            w.WriteByte(PeerInfo.MaxTransportAddresses + 1);
        });
        Assert.Throws<WireFormatException>(() => ParsePeer(encoded));
    }

    [Test]
    public void PeerInfo_TruncatedAtEveryOffset_Throws()
    {
        CodecAssert.EveryTruncationRejected(ParsePeer, Encode(s_peer.WriteTo), "PeerInfo");
        CodecAssert.EveryTruncationRejected(ParsePeerList, Encode(w => PeerInfo.WriteList(w, [s_peer, new PeerInfo(s_b, [])])), "PeerInfo list");
    }

    [Test]
    public void PeerInfo_JunkAppended_LeftForTheCaller()
    {
        // PeerInfo is read from inside larger messages, so it stops at its end and leaves the rest unread.
        byte[] encoded = [.. Encode(s_peer.WriteTo), 1, 2, 3];
        var reader = new WireReader(encoded);
        Assert.That(PeerInfo.Read(ref reader).Address, Is.EqualTo(s_a));
        Assert.That(reader.Remaining, Is.EqualTo(3));
    }

    [Test]
    public void PeerInfo_FuzzedInput_ThrowsOnlyWireFormatException()
    {
        CodecAssert.Fuzz(ParsePeer, [Encode(s_peer.WriteTo)], seed: 21, "PeerInfo");
        CodecAssert.Fuzz(ParsePeerList, [Encode(w => PeerInfo.WriteList(w, [s_peer, new PeerInfo(s_b, [])]))], seed: 22, "PeerInfo list");
    }

    // --- LinkStatus ---

    [Test]
    public void LinkStatus_Read_RoundTrips()
    {
        LinkStatus read = LinkStatus.Read(Encode(s_status.WriteTo));
        Assert.That(read.Node, Is.EqualTo(s_status.Node));
        Assert.That(read.Right, Is.EqualTo(s_status.Right));
        Assert.That(read.Left, Is.EqualTo(s_status.Left));
        Assert.That(read.Links, Is.EqualTo(s_status.Links));
        Assert.That(read.Edges, Is.EqualTo(s_status.Edges));
        Assert.That(read.SecurityAssociations, Is.EqualTo(3));
        Assert.That(read.VirtualIp, Is.EqualTo("10.254.0.7"));
    }

    [Test]
    public void LinkStatus_Read_NoVirtualIp_IsNull()
    {
        LinkStatus read = LinkStatus.Read(Encode((s_status with { VirtualIp = null }).WriteTo));
        Assert.That(read.VirtualIp, Is.Null);
    }

    [Test]
    public void LinkStatus_TruncatedAtEveryOffset_Throws() =>
        CodecAssert.EveryTruncationRejected(ParseStatus, Encode(s_status.WriteTo), "LinkStatus");

    [Test]
    public void LinkStatus_JunkAppended_IsIgnored()
    {
        // Read does not ExpectEnd: a newer node may append fields that an older crawler skips.
        LinkStatus read = LinkStatus.Read([.. Encode(s_status.WriteTo), 0xFF, 0x00]);
        Assert.That(read.Node, Is.EqualTo(s_a));
        Assert.That(read.VirtualIp, Is.EqualTo("10.254.0.7"));
    }

    [Test]
    public void LinkStatus_TooManyNeighbours_Throws()
    {
        byte[] encoded = Encode(s_status.WriteTo);
        encoded[Address.Size] = LinkStatus.MaxNeighbours + 1;
        Assert.Throws<WireFormatException>(() => LinkStatus.Read(encoded));
    }

    [Test]
    public void LinkStatus_FuzzedInput_ThrowsOnlyWireFormatException() =>
        CodecAssert.Fuzz(ParseStatus, [Encode(s_status.WriteTo)], seed: 31, "LinkStatus");

    // --- NodeInfo ---

    [Test]
    public void NodeInfo_Read_RoundTrips()
    {
        NodeInfo read = NodeInfo.Read(Encode(s_info.WriteTo));
        Assert.That(read.Address, Is.EqualTo(s_info.Address));
        Assert.That(read.Namespace, Is.EqualTo("ns"));
        Assert.That(read.TransportAddresses, Is.EqualTo(s_info.TransportAddresses));
        Assert.That(read.Links, Is.EqualTo(12));
        Assert.That(read.Edges, Is.EqualTo(14));
        Assert.That(read.EstimatedNetworkSize, Is.EqualTo(123.5));
        Assert.That(read.VirtualIp, Is.EqualTo("10.254.0.1"));
    }

    [Test]
    public void NodeInfo_TruncatedAtEveryOffset_Throws() =>
        CodecAssert.EveryTruncationRejected(ParseInfo, Encode(s_info.WriteTo), "NodeInfo");

    [Test]
    public void NodeInfo_JunkAppended_IsIgnored() =>
        Assert.That(NodeInfo.Read([.. Encode(s_info.WriteTo), 1, 2, 3]).Address, Is.EqualTo(s_a));

    [Test]
    public void NodeInfo_FuzzedInput_ThrowsOnlyWireFormatException() =>
        CodecAssert.Fuzz(ParseInfo, [Encode(s_info.WriteTo), Encode((s_info with { VirtualIp = null, TransportAddresses = [] }).WriteTo)], seed: 41, "NodeInfo");
}
