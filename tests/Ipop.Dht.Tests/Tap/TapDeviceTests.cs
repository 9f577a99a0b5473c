using Ipop.Dht.PacketPath;
using Ipop.Dht.Tap;

namespace Ipop.Dht.Tests.Tap;

[Category("Root")]
[NonParallelizable]
public sealed class TapDeviceTests
{
    private const string Device = "tap0";

    private NetworkNamespace _namespace = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequirement.Require();
        _namespace = new NetworkNamespace();
        // No IPv6 chatter (router solicitations, MLD) on the TAP: the tests below wait for specific frames.
        NetworkNamespace.Ip("netns", "exec", _namespace.Name, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
    }

    [TearDown]
    public void TearDown() => _namespace?.Dispose();

    [Test]
    public void Open_InNamespace_DeviceIsUpWithMtuAndMac()
    {
        using TapDevice tap = _namespace.Run(() => TapDevice.Open(Device, 1200));

        string link = NetworkNamespace.Ip("-n", _namespace.Name, "link", "show", Device);

        Assert.That(tap.Name, Is.EqualTo(Device));
        Assert.That(link, Does.Match(@"<[^>]*\bUP\b[^>]*>"), link);
        Assert.That(link, Does.Contain("mtu 1200"), link);
        Assert.That(link, Does.Contain("link/ether " + tap.Mac), link);
        Assert.That(tap.Mtu, Is.EqualTo(1200));
    }

    [Test]
    public async Task ReadAsync_HostArpsForPeer_ReadsRequestAndAnsweredHostSendsDatagramToGateway()
    {
        using TapDevice tap = _namespace.Run(() => TapDevice.Open(Device, 1200));
        NetworkNamespace.Ip("-n", _namespace.Name, "addr", "add", "100.64.0.2/24", "dev", Device);
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(5));
        byte[] frame = new byte[2048];

        // The host sends a UDP datagram to 100.64.0.5: the kernel first asks ARP, queueing the datagram.
        NetworkNamespace.Ip("netns", "exec", _namespace.Name, "bash", "-c", "echo hi > /dev/udp/100.64.0.5/9");
        int length = await ReadUntilAsync(tap, frame, f => ArpTarget(f) == 0x64400005, timeout.Token);

        Assert.That(EthernetHeader.TryRead(frame, out EthernetHeader ethernet), Is.True);
        Assert.That(ethernet.Source, Is.EqualTo(tap.Mac), "the host's frames come from the TAP's MAC");
        Assert.That(ethernet.Destination, Is.EqualTo(MacAddress.Broadcast));
        Assert.That(ArpPacket.TryRead(frame.AsSpan(EthernetHeader.Size, length - EthernetHeader.Size), out ArpPacket request), Is.True);
        Assert.That(request.SenderIp, Is.EqualTo(0x64400002u));

        ArpResponder responder = new(MacAddress.VirtualGateway, 0x64400000, 0xffffff00);
        byte[] reply = new byte[ArpResponder.ReplySize];
        Assert.That(responder.TryBuildReply(frame.AsSpan(0, length), reply, out int written), Is.True);
        tap.Write(reply.AsSpan(0, written));

        length = await ReadUntilAsync(tap, frame, f => FrameReader.TryReadUdp(f, out Ipv4Header ip, out _, out _, out _) && ip.Destination == 0x64400005, timeout.Token);

        Assert.That(FrameReader.TryReadUdp(frame.AsSpan(0, length), out _, out UdpHeader udp, out int offset, out int payloadLength), Is.True);
        Assert.That(EthernetHeader.TryRead(frame, out ethernet) && ethernet.Destination == MacAddress.VirtualGateway, Is.True, "sent to the gateway MAC we answered with");
        Assert.That(udp.DestinationPort, Is.EqualTo((ushort)9));
        Assert.That(frame.AsSpan(offset, payloadLength).ToArray(), Is.EqualTo("hi\n"u8.ToArray()));
        string neighbours = NetworkNamespace.Ip("-n", _namespace.Name, "neigh", "show", "dev", Device);
        Assert.That(neighbours, Does.Contain("100.64.0.5 lladdr fe:fd:00:00:00:01"), neighbours);
    }

    [Test]
    public async Task ReadAsync_Cancelled_ThrowsAndNextReadStillWorks()
    {
        using TapDevice tap = _namespace.Run(() => TapDevice.Open(Device, 1200));
        byte[] frame = new byte[2048];

        using (CancellationTokenSource soon = new(TimeSpan.FromMilliseconds(100)))
        {
            Assert.That(async () => await tap.ReadAsync(frame, soon.Token), Throws.InstanceOf<OperationCanceledException>());
        }

        NetworkNamespace.Ip("-n", _namespace.Name, "addr", "add", "100.64.0.2/24", "dev", Device);
        NetworkNamespace.Ip("netns", "exec", _namespace.Name, "bash", "-c", "echo hi > /dev/udp/100.64.0.7/9");
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(5));
        int length = await ReadUntilAsync(tap, frame, f => ArpTarget(f) == 0x64400007, timeout.Token);
        Assert.That(length, Is.GreaterThanOrEqualTo(EthernetHeader.Size + ArpPacket.Size));
    }

    [Test]
    public void Dispose_DuringRead_EndsReadWithObjectDisposed()
    {
        TapDevice tap = _namespace.Run(() => TapDevice.Open(Device, 1200));
        byte[] frame = new byte[2048];
        ValueTask<int> pending = tap.ReadAsync(frame);
        Assert.That(pending.IsCompleted, Is.False, "nothing to read yet");

        tap.Dispose();

        Assert.That(async () => await pending, Throws.InstanceOf<ObjectDisposedException>());
        Assert.Throws<ObjectDisposedException>(() => tap.Write(new byte[60]));
        string links = NetworkNamespace.Ip("-n", _namespace.Name, "link", "show");
        Assert.That(links, Does.Not.Contain(Device), "a non-persistent TAP goes away with its descriptor");
    }

    [Test]
    public void Open_BadName_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => TapDevice.Open("name/with/slash"));
        Assert.Throws<ArgumentException>(() => TapDevice.Open("a-name-too-long-for-linux"));
    }

    private static async Task<int> ReadUntilAsync(TapDevice tap, byte[] frame, Func<byte[], bool> wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            int length = await tap.ReadAsync(frame, cancellationToken);
            if (wanted(frame[..length]))
            {
                return length;
            }
        }
    }

    private static uint ArpTarget(byte[] frame) =>
        EthernetHeader.TryRead(frame, out EthernetHeader ethernet) && ethernet.EtherType == EtherType.Arp
            && ArpPacket.TryRead(frame.AsSpan(EthernetHeader.Size), out ArpPacket arp) && arp.Operation == ArpPacket.Request
            ? arp.TargetIp
            : 0;
}
