using System.Buffers.Binary;
using System.Net;
using Brunet.Addressing;
using Brunet.Security;
using Ipop.Dhcp.Leases;
using Ipop.Dht.PacketPath;
using Ipop.Dht.Resolution;
using Ipop.Dht.Security;
using Ipop.Dht.Tests.Fakes;

namespace Ipop.Dht.Tests.PacketPath;

/// <summary>A super-frame's packet (GSO facts, then a TCP/IPv4 packet of up to 64 KB) from the overlay to the host.</summary>
public sealed class GsoPacketTests
{
    private static readonly MacAddress s_hostMac = PacketPathWorld.HostMac;
    private static readonly Address s_bob = PacketPathWorld.Bob;
    private static readonly IPAddress s_aliceIp = PacketPathWorld.AliceIp;
    private static readonly IPAddress s_bobIp = PacketPathWorld.BobIp;

    private GsoDevice _device = null!;
    private LeaseResolver _resolver = null!;
    private VpnPacketPath _path = null!;

    [SetUp]
    public async Task SetUp()
    {
        var world = new PacketPathWorld();
        _device = new GsoDevice();
        _resolver = world.Resolver;
        _path = new VpnPacketPath(_device, new FakeOverlay(), _resolver, null, PacketPathWorld.Pool(), OpenGroupPolicy.Instance, world.Time);
        await _path.HandleFrame(HostFrames.ArpRequest(s_hostMac, s_aliceIp, s_bobIp));     // the host's MAC is known
    }

    [Test]
    public async Task FromADirectPeerWithACachedLease_WrittenAsOneGsoFrame()
    {
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));
        byte[] packet = TcpPacket(s_bobIp, 20_000);

        _path.OnOverlayGsoPacket(s_bob, Peer(), Payload(new GsoFacts(1160, Ecn: true), packet));

        Assert.That(_device.GsoFrames, Has.Count.EqualTo(1));
        (byte[] frame, int segmentSize, bool ecn) = _device.GsoFrames[0];
        Assert.That(segmentSize, Is.EqualTo(1160));
        Assert.That(ecn, Is.True);
        Assert.That(MacAddress.Read(frame), Is.EqualTo(s_hostMac));
        Assert.That(frame[14..], Is.EqualTo(packet));
        Assert.That(_path.Counters.SuperFramesIn, Is.EqualTo(1));
        Assert.That(_path.Counters.PacketsIn, Is.EqualTo(1));
    }

    [Test]
    public async Task Routed_DroppedAsNotDirect()
    {
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));

        _path.OnOverlayGsoPacket(s_bob, null, Payload(new GsoFacts(1160, false), TcpPacket(s_bobIp, 5_000)));

        Assert.That(_device.GsoFrames, Is.Empty);
        Assert.That(_path.Counters.DroppedNotDirect, Is.EqualTo(1));
    }

    [Test]
    public async Task SourceNotCached_DroppedAndLookedUp()
    {
        var resolved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _resolver.Resolved += (_, _) => resolved.TrySetResult();

        _path.OnOverlayGsoPacket(s_bob, Peer(), Payload(new GsoFacts(1160, false), TcpPacket(s_bobIp, 5_000)));

        Assert.That(_device.GsoFrames, Is.Empty, "its checksum is partial: it cannot wait for the lookup");
        Assert.That(_path.Counters.DroppedUnresolved, Is.EqualTo(1));
        await resolved.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(_resolver.TryGetCached(Ipv4Math.ToUInt32(s_bobIp), out Address? holder) && holder == s_bob, Is.True, "so the next one passes");
    }

    private static IEnumerable<TestCaseData> HostilePayloads()
    {
        byte[] good = TcpPacket(s_bobIp, 5_000);
        yield return new TestCaseData(new byte[] { 0, 0, 4 }).SetName("Hostile_ShorterThanTheFacts");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good).With(0, 0x80)).SetName("Hostile_UnknownFlag");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good).With(1, 1)).SetName("Hostile_ReservedByteSet");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good).With(2, 0).With(3, 0)).SetName("Hostile_SegmentSizeZero");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good[..^10])).SetName("Hostile_TotalLengthLongerThanThePacket");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), [.. good, 0, 0])).SetName("Hostile_BytesAfterThePacket");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good.With(9, 17))).SetName("Hostile_NotTcp");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good.With(6, 0x20))).SetName("Hostile_AFragment");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), good.With(32, 0x20))).SetName("Hostile_TcpHeaderTooShort");
        yield return new TestCaseData(Payload(new GsoFacts(1160, false), TcpPacket(s_bobIp, 0)[..40].With(32, 0xf0).With(3, 40)))
            .SetName("Hostile_TcpHeaderLongerThanThePacket");
    }

    [TestCaseSource(nameof(HostilePayloads))]
    public async Task Hostile_DroppedAsMalformed(byte[] payload)
    {
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));

        _path.OnOverlayGsoPacket(s_bob, Peer(), payload);

        Assert.That(_device.GsoFrames, Is.Empty);
        Assert.That(_device.Written, Is.Empty.Or.Count.EqualTo(1), "only the ARP reply of the set-up");
        Assert.That(_path.Counters.DroppedMalformed, Is.EqualTo(1));
    }

    private static PeerIdentity Peer() => PacketPathWorld.Peer(s_bob);

    private static byte[] Payload(GsoFacts facts, byte[] packet)
    {
        byte[] payload = new byte[GsoFacts.Size + packet.Length];
        facts.WriteTo(payload);
        packet.CopyTo(payload, GsoFacts.Size);
        return payload;
    }

    /// <summary>A TCP/IPv4 packet from <paramref name="source"/> to alice: 20-byte headers and <paramref name="payload"/> bytes.</summary>
    private static byte[] TcpPacket(IPAddress source, int payload)
    {
        byte[] packet = new byte[40 + payload];
        new Ipv4Header(0, (ushort)packet.Length, 1, Ipv4Header.DontFragment, 64, Ipv4Header.ProtocolTcp, 0, Ipv4Math.ToUInt32(source),
            Ipv4Math.ToUInt32(s_aliceIp)).WriteWithChecksum(packet);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), 5001);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), 40000);
        packet[32] = 0x50;     // data offset: 5 words
        packet[33] = 0x10;     // ACK
        new Random(4).NextBytes(packet.AsSpan(40));
        return packet;
    }

    /// <summary>A TAP with offloads that records its GSO writes.</summary>
    private sealed class GsoDevice : IFrameDevice, IGsoFrameWriter
    {
        public List<byte[]> Written { get; } = [];

        public List<(byte[] Frame, int SegmentSize, bool Ecn)> GsoFrames { get; } = [];

        public MacAddress Mac { get; } = new(0x0200_0000_0042);

        public int Mtu => 1200;

        public bool Offload => true;

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new NotSupportedException());

        public void Write(ReadOnlySpan<byte> frame) => Written.Add(frame.ToArray());

        public void WriteTcp4Gso(ReadOnlySpan<byte> frame, int segmentSize) => GsoFrames.Add((frame.ToArray(), segmentSize, false));

        public void WriteTcp4Gso(ReadOnlySpan<byte> ethernet, ReadOnlySpan<byte> packet, int segmentSize, bool ecn) =>
            GsoFrames.Add(([.. ethernet, .. packet], segmentSize, ecn));
    }
}

internal static class ByteArrayEdits
{
    /// <summary>A copy with one byte set.</summary>
    public static byte[] With(this byte[] bytes, int index, byte value)
    {
        byte[] copy = [.. bytes];
        copy[index] = value;
        return copy;
    }
}
