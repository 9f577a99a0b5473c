using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Brunet.Addressing;
using Brunet.Node;
using Brunet.Security;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;
using Ipop.Dhcp.Wire;
using Ipop.Dht.Leases;
using Ipop.Dht.PacketPath;
using Ipop.Dht.Resolution;
using Ipop.Dht.Security;
using Ipop.Dht.Tests.Fakes;

namespace Ipop.Dht.Tests.PacketPath;

public sealed class VpnPacketPathTests
{
    private static readonly MacAddress s_hostMac = PacketPathWorld.HostMac;
    private static readonly Address s_self = Address.FromHash([0]);
    private static readonly Address s_bob = PacketPathWorld.Bob;
    private static readonly Address s_mallory = Address.FromHash([3]);
    private static readonly IPAddress s_aliceIp = PacketPathWorld.AliceIp;
    private static readonly IPAddress s_bobIp = PacketPathWorld.BobIp;

    private ManualTimeProvider _time = null!;
    private FakeLeaseStore _store = null!;
    private FakeFrameDevice _device = null!;
    private FakeOverlay _overlay = null!;
    private LeaseResolver _resolver = null!;

    [SetUp]
    public void SetUp()
    {
        var world = new PacketPathWorld();
        (_time, _store, _resolver) = (world.Time, world.Store, world.Resolver);
        _device = new FakeFrameDevice();
        _overlay = new FakeOverlay();
    }

    [Test]
    public void HandleFrame_ArpRequestForTheSubnet_AnsweredWithTheGatewayMac()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);

        path.HandleFrame(ArpRequest(s_aliceIp, s_bobIp));

        Assert.That(_device.Written, Has.Count.EqualTo(1));
        byte[] reply = _device.Written[0];
        Assert.That(MacAddress.Read(reply.AsSpan(0)), Is.EqualTo(s_hostMac), "to the host");
        Assert.That(MacAddress.Read(reply.AsSpan(6)), Is.EqualTo(MacAddress.VirtualGateway), "from the gateway");
        Assert.That(path.Counters.ArpReplies, Is.EqualTo(1));
        Assert.That(path.HostMac, Is.EqualTo(s_hostMac), "the host's MAC is learned from its frames");
    }

    [Test]
    public async Task HandleFrame_DhcpDiscover_AnsweredWithAnOfferFromTheGateway()
    {
        using var allocator = new DhtAddressAllocator(_store, "demo", Pool(), s_self.ToString(), TimeSpan.FromMinutes(10), null, null, _time);
        var server = new DhcpServer(DhcpServerOptions.FromConfig(new Ipop.Dhcp.Config.DhcpConfig
        {
            Namespace = "demo",
            IPBase = IPAddress.Parse("100.64.0.0"),
            Netmask = IPAddress.Parse("255.255.0.0"),
            LeaseTime = 600,
        }, Pool()), allocator);
        VpnPacketPath path = Path(OpenGroupPolicy.Instance, server);

        await path.HandleFrame(DhcpDiscover()).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(_device.Written, Has.Count.EqualTo(1));
        byte[] frame = _device.Written[0];
        Assert.That(FrameReader.TryReadUdp(frame, out Ipv4Header ip, out UdpHeader udp, out int offset, out int length), Is.True);
        Assert.That(udp.SourcePort, Is.EqualTo(67));
        Assert.That(udp.DestinationPort, Is.EqualTo(68));
        Assert.That(Ipv4Math.ToAddress(ip.Source), Is.EqualTo(IPAddress.Parse("100.64.0.1")));
        DhcpMessage offer = DhcpMessage.Parse(frame.AsSpan(offset, length));
        Assert.That(offer.MessageType, Is.EqualTo(DhcpMessageType.Offer));
        Assert.That(offer.YourAddress, Is.EqualTo(allocator.Current));
        Assert.That(path.Counters.DhcpReplies, Is.EqualTo(1));
    }

    [Test]
    public void HandleFrame_Ipv6_DroppedAndCounted()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        byte[] frame = new byte[14 + 40];
        new EthernetHeader(MacAddress.VirtualGateway, s_hostMac, EtherType.IPv6).WriteTo(frame);

        path.HandleFrame(frame);

        Assert.That(_device.Written, Is.Empty);
        Assert.That(_overlay.Sent, Is.Empty);
        Assert.That(path.Counters.DroppedOther, Is.EqualTo(1));
    }

    [Test]
    public void HandleFrame_Broadcast_DroppedAndCounted()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);

        path.HandleFrame(IpFrame(s_aliceIp, IPAddress.Parse("100.64.255.255")));

        Assert.That(_overlay.Sent, Is.Empty);
        Assert.That(path.Counters.DroppedBroadcast, Is.EqualTo(1));
    }

    [Test]
    public async Task HandleFrame_PacketToALeasedAddress_SentToItsHolderAndADirectLinkAsked()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        byte[] frame = IpFrame(s_aliceIp, s_bobIp);
        Task resolved = NextResolution();

        await path.HandleFrame(frame);    // not cached yet: held while the DHT answers
        await resolved;
        Assert.That(_overlay.Sent, Has.Count.EqualTo(1));

        Assert.That(_overlay.Sent[0].Destination, Is.EqualTo(s_bob));
        Assert.That(_overlay.Sent[0].Packet, Is.EqualTo(frame[14..]), "the IP packet without its Ethernet header");
        Assert.That(_overlay.Sent[0].How, Is.EqualTo(OverlayNode.DataSend.Routed), "open VPN: routed while the edge is made");
        Assert.That(_overlay.LinkRequests, Does.Contain(s_bob));

        _overlay.Direct.Add(s_bob);
        await path.HandleFrame(frame);    // cached now: sent at once
        Assert.That(_overlay.Sent, Has.Count.EqualTo(2));
        Assert.That(_overlay.Sent[1].How, Is.EqualTo(OverlayNode.DataSend.Direct));
        Assert.That(_store.Gets, Is.EqualTo(1));
    }

    [Test]
    public async Task HandleFrame_PacketToAnUnleasedAddress_Dropped()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        Task resolved = NextResolution();

        await path.HandleFrame(IpFrame(s_aliceIp, IPAddress.Parse("100.64.9.9")));
        await resolved;

        Assert.That(path.Counters.DroppedUnresolved, Is.EqualTo(1));

        Assert.That(_overlay.Sent, Is.Empty);
    }

    [Test]
    public async Task HandleFrame_GroupVpnWithoutDirectLink_HeldUntilTheLinkIsUp()
    {
        VpnPacketPath path = Path(new TestPolicy(s_bob));
        Task resolved = NextResolution();

        await path.HandleFrame(IpFrame(s_aliceIp, s_bobIp));
        await resolved;
        Assert.That(_overlay.LinkRequests, Does.Contain(s_bob));
        Assert.That(_overlay.Sent, Is.Empty, "GroupVPN traffic never goes routed");

        _overlay.Direct.Add(s_bob);
        path.OnConnectionsChanged();

        Assert.That(_overlay.Sent, Has.Count.EqualTo(1));
        Assert.That(_overlay.Sent[0].How, Is.EqualTo(OverlayNode.DataSend.Direct));
    }

    [Test]
    public async Task HandleFrame_GroupVpnDestinationLinkedButNotAMember_NotSentAndCounted()
    {
        VpnPacketPath path = Path(new TestPolicy(s_self));      // bob holds the address but is not a member
        _overlay.Direct.Add(s_bob);
        _overlay.Peers[s_bob] = Peer(s_bob);
        Task resolved = NextResolution();

        await path.HandleFrame(IpFrame(s_aliceIp, s_bobIp));
        await resolved;
        await path.HandleFrame(IpFrame(s_aliceIp, s_bobIp));

        Assert.That(_overlay.Sent, Is.Empty, "a member's packet was handed to a non-member");
        Assert.That(path.Counters.DroppedToNonMember, Is.EqualTo(2));
    }

    [Test]
    public async Task HandleFrame_GroupVpnDestinationLinkedAndAMember_SentDirect()
    {
        VpnPacketPath path = Path(new TestPolicy(s_bob));
        _overlay.Direct.Add(s_bob);
        _overlay.Peers[s_bob] = Peer(s_bob);
        Task resolved = NextResolution();

        await path.HandleFrame(IpFrame(s_aliceIp, s_bobIp));
        await resolved;

        Assert.That(_overlay.Sent, Has.Count.EqualTo(1));
        Assert.That(_overlay.Sent[0].How, Is.EqualTo(OverlayNode.DataSend.Direct));
        Assert.That(path.Counters.DroppedToNonMember, Is.Zero);
    }

    [Test]
    public async Task HandleFrame_GroupVpnDirectLinkRefusesThePacket_DroppedAndCountedNotHeld()
    {
        VpnPacketPath path = Path(new TestPolicy(s_bob));
        _overlay.Direct.Add(s_bob);
        _overlay.Peers[s_bob] = Peer(s_bob);
        _overlay.Refusing.Add(s_bob);
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));

        await path.HandleFrame(IpFrame(s_aliceIp, s_bobIp));
        _overlay.Refusing.Clear();
        path.OnConnectionsChanged();

        Assert.That(path.Counters.DroppedSendFull, Is.EqualTo(1));
        Assert.That(_overlay.Sent, Is.Empty, "a refused packet is lost, not held for a link that already exists");
    }

    [Test]
    public async Task EndInboundBatch_HostAnsweredTheDelivery_AnswerSentFromTheReceiveThread()
    {
        var answers = new Queue<byte[]>();
        VpnPacketPath path = await PathWithHostReader(answers);
        byte[] answer = IpFrame(s_aliceIp, s_bobIp);

        path.BeginInboundBatch();
        path.OnOverlayPacket(s_bob, null, IpFrame(s_bobIp, s_aliceIp).AsSpan(14));
        answers.Enqueue(answer);      // what the host's kernel queued while it took the write
        path.EndInboundBatch();

        Assert.That(_overlay.Sent, Has.Count.EqualTo(1));
        Assert.That(_overlay.Sent[0].Packet, Is.EqualTo(answer[14..]));
        Assert.That(answers, Is.Empty);
    }

    [Test]
    public async Task EndInboundBatch_DrainAfterInboundOff_HostFramesLeftForTheReader()
    {
        var answers = new Queue<byte[]>([IpFrame(s_aliceIp, s_bobIp)]);
        VpnPacketPath path = await PathWithHostReader(answers);
        path.DrainAfterInbound = false;

        path.BeginInboundBatch();
        path.OnOverlayPacket(s_bob, null, IpFrame(s_bobIp, s_aliceIp).AsSpan(14));
        path.EndInboundBatch();

        Assert.That(_overlay.Sent, Is.Empty);
        Assert.That(path.DrainHost(wait: true), Is.EqualTo(1), "the reader's own drain takes it");
        Assert.That(_overlay.Sent, Has.Count.EqualTo(1));
    }

    /// <summary>An open VPN path whose host (alice, MAC known) reads the frames queued in <paramref name="host"/>; bob is linked.</summary>
    private async Task<VpnPacketPath> PathWithHostReader(Queue<byte[]> host)
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        await path.HandleFrame(ArpRequest(s_aliceIp, s_bobIp));
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));
        _overlay.Direct.Add(s_bob);
        path.UseHostReader(buffer => host.TryDequeue(out byte[]? frame) ? CopyTo(frame, buffer) : -1);
        return path;
    }

    private static int CopyTo(byte[] frame, Span<byte> buffer)
    {
        frame.CopyTo(buffer);
        return frame.Length;
    }

    [Test]
    public async Task OnOverlayPacket_SourceLeasedToTheSender_WrittenToTheHost()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        await path.HandleFrame(ArpRequest(s_aliceIp, s_bobIp));     // the host speaks first: its MAC is known
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));
        byte[] packet = IpFrame(s_bobIp, s_aliceIp)[14..];

        path.OnOverlayPacket(s_bob, null, packet);

        Assert.That(_device.Written, Has.Count.EqualTo(2));
        byte[] frame = _device.Written[1];
        Assert.That(MacAddress.Read(frame), Is.EqualTo(s_hostMac));
        Assert.That(MacAddress.Read(frame.AsSpan(6)), Is.EqualTo(MacAddress.VirtualGateway));
        Assert.That(frame[14..], Is.EqualTo(packet));
        Assert.That(path.Counters.PacketsIn, Is.EqualTo(1));
    }

    [Test]
    public async Task OnOverlayPacket_SourceNotLeasedToTheSender_DroppedAndCounted()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        await path.HandleFrame(ArpRequest(s_aliceIp, s_bobIp));

        // Mallory sends with bob's address as the source: checked against the DHT once it answers.
        Task resolved = NextResolution();
        path.OnOverlayPacket(s_mallory, null, IpFrame(s_bobIp, s_aliceIp).AsSpan(14));
        await resolved;
        Assert.That(path.Counters.DroppedSpoofed, Is.EqualTo(1));
        // Then with an address nobody leases.
        resolved = NextResolution();
        path.OnOverlayPacket(s_mallory, null, IpFrame(IPAddress.Parse("100.64.9.9"), s_aliceIp).AsSpan(14));
        await resolved;
        Assert.That(path.Counters.DroppedSpoofed, Is.EqualTo(2));
        // Mallory's next packet with bob's address is judged from the cache at once.
        path.OnOverlayPacket(s_mallory, null, IpFrame(s_bobIp, s_aliceIp).AsSpan(14));
        Assert.That(path.Counters.DroppedSpoofed, Is.EqualTo(3));

        Assert.That(_device.Written, Has.Count.EqualTo(1), "only the ARP reply reached the host");
    }

    [Test]
    public async Task OnOverlayPacket_SourceOutsideTheSubnet_DroppedWithoutALookup()
    {
        VpnPacketPath path = Path(OpenGroupPolicy.Instance);
        await path.HandleFrame(ArpRequest(s_aliceIp, s_bobIp));

        path.OnOverlayPacket(s_bob, null, IpFrame(IPAddress.Parse("8.8.8.8"), s_aliceIp).AsSpan(14));
        path.OnOverlayPacket(s_bob, null, IpFrame(IPAddress.Parse("100.64.0.1"), s_aliceIp).AsSpan(14));

        Assert.That(path.Counters.DroppedSpoofed, Is.EqualTo(2));
        Assert.That(_resolver.Lookups, Is.Zero);
    }

    [Test]
    public void OnOverlayPacket_ManyUnknownSources_WaitingAddressesBounded()
    {
        var neverAnswers = new VpnPacketPath(_device, _overlay, new LeaseResolver(new StallingLeaseStore(), "demo", _time), null, Pool(),
            OpenGroupPolicy.Instance, _time);
        int count = VpnPacketPath.MaxWaitingAddresses + 10;

        for (int i = 0; i < count; i++)
        {
            neverAnswers.OnOverlayPacket(s_bob, null, IpFrame(Ipv4Math.ToAddress(0x6440_1000u + (uint)i), s_aliceIp).AsSpan(14));
        }

        Assert.That(neverAnswers.Counters.DroppedQueueFull, Is.EqualTo(10));
    }

    [Test]
    public async Task OnOverlayPacket_GroupVpnRoutedOrFromANonMember_Dropped()
    {
        VpnPacketPath path = Path(new TestPolicy(s_bob));
        await path.HandleFrame(ArpRequest(s_aliceIp, s_bobIp));
        await _resolver.ResolveAsync(Ipv4Math.ToUInt32(s_bobIp));
        byte[] packet = IpFrame(s_bobIp, s_aliceIp)[14..];

        path.OnOverlayPacket(s_bob, null, packet);
        path.OnOverlayPacket(s_mallory, Peer(s_mallory), packet);
        path.OnOverlayPacket(s_bob, Peer(s_bob), packet);

        Assert.That(path.Counters.DroppedNotDirect, Is.EqualTo(1));
        Assert.That(path.Counters.DroppedNotMember, Is.EqualTo(1));
        Assert.That(path.Counters.PacketsIn, Is.EqualTo(1), "the member's packet over its direct edge");
    }

    private VpnPacketPath Path(IGroupPolicy policy, DhcpServer? dhcp = null) =>
        new(_device, _overlay, _resolver, dhcp, Pool(), policy, _time);

    private static AddressPool Pool() => PacketPathWorld.Pool();

    private static PeerIdentity Peer(Address address) => PacketPathWorld.Peer(address);

    /// <summary>Completes after the resolver's next answer has been handled (the path subscribed first, so it ran first).</summary>
    private Task NextResolution()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(uint ip, Address? node)
        {
            _resolver.Resolved -= Handler;
            done.TrySetResult();
        }
        _resolver.Resolved += Handler;
        return done.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static byte[] ArpRequest(IPAddress sender, IPAddress target) => HostFrames.ArpRequest(s_hostMac, sender, target);

    /// <summary>An ICMP echo request from the host, in an Ethernet frame to the gateway's MAC.</summary>
    private static byte[] IpFrame(IPAddress source, IPAddress destination)
    {
        const int icmpLength = 16;
        byte[] frame = new byte[14 + 20 + icmpLength];
        new EthernetHeader(MacAddress.VirtualGateway, s_hostMac, EtherType.IPv4).WriteTo(frame);
        new Ipv4Header(0, 20 + icmpLength, 1, 0, 64, Ipv4Header.ProtocolIcmp, 0, Ipv4Math.ToUInt32(source), Ipv4Math.ToUInt32(destination))
            .WriteWithChecksum(frame.AsSpan(14));
        Span<byte> icmp = frame.AsSpan(34);
        icmp[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        return frame;
    }

    private static byte[] DhcpDiscover()
    {
        PhysicalAddress mac = s_hostMac.ToPhysicalAddress();
        byte[] chaddr = new byte[16];
        mac.GetAddressBytes().CopyTo(chaddr, 0);
        DhcpMessage discover = new DhcpMessage
        {
            TransactionId = 0x1234_5678,
            Flags = DhcpMessage.BroadcastFlag,
            ClientHardwareAddress = chaddr,
            Options = [DhcpOption.FromMessageType(DhcpMessageType.Discover)],
        }.PadToBootpMinimum();
        int length = discover.GetEncodedLength();
        byte[] frame = new byte[FrameBuilder.UdpPayloadOffset + length];
        discover.WriteTo(frame.AsSpan(FrameBuilder.UdpPayloadOffset));
        FrameBuilder.WriteUdpHeaders(frame, MacAddress.Broadcast, s_hostMac, 0, 0xffff_ffff, 68, 67, length);
        return frame;
    }
}
