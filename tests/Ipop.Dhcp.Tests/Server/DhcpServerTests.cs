using System.Net;
using System.Net.NetworkInformation;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;
using Ipop.Dhcp.Tests.Wire;
using Ipop.Dhcp.Wire;

namespace Ipop.Dhcp.Tests.Server;

public sealed class DhcpServerTests
{
    private static readonly IPAddress s_gateway = IPAddress.Parse("100.64.0.1");
    private static readonly PhysicalAddress s_mac = PhysicalAddress.Parse("52-54-00-12-34-56");
    private static readonly PhysicalAddress s_otherMac = PhysicalAddress.Parse("52-54-00-65-43-21");

    private AddressPool _pool = null!;
    private FakeAllocator _allocator = null!;
    private DhcpServer _server = null!;

    [SetUp]
    public void SetUp()
    {
        _pool = new AddressPool(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.255.0"), [IPAddress.Parse("100.64.0.2")], new Random(7));
        _allocator = new FakeAllocator(_pool);
        _server = new DhcpServer(new DhcpServerOptions { Pool = _pool, LeaseTime = 3600 }, _allocator);
    }

    [Test]
    public async Task HandleAsync_DiscoverThenRequest_OffersAndAcksWithAllOptions()
    {
        DhcpMessage discover = DhcpMessage.Parse(Convert.FromHexString(DhcpSamples.UdhcpcDiscover));

        DhcpReply? offer = await _server.HandleAsync(discover);

        Assert.That(offer, Is.Not.Null);
        DhcpMessage offerMessage = offer!.Message;
        Assert.That(offerMessage.Op, Is.EqualTo(BootpOpcode.BootReply));
        Assert.That(offerMessage.MessageType, Is.EqualTo(DhcpMessageType.Offer));
        Assert.That(offerMessage.TransactionId, Is.EqualTo(discover.TransactionId));
        Assert.That(offerMessage.ClientHardwareAddress.ToArray(), Is.EqualTo(discover.ClientHardwareAddress.ToArray()));
        IPAddress offered = offerMessage.YourAddress;
        Assert.That(_pool.IsLeasable(offered), Is.True, offered.ToString());
        Assert.That(offerMessage.ServerIdentifier, Is.EqualTo(s_gateway));
        Assert.That(offerMessage.LeaseTime, Is.EqualTo(3600u));
        Assert.That(offerMessage.RenewalTime, Is.EqualTo(1800u));
        Assert.That(offerMessage.RebindingTime, Is.EqualTo(3150u));
        Assert.That(offerMessage.SubnetMask, Is.EqualTo(IPAddress.Parse("255.255.255.0")));
        Assert.That(offerMessage.Routers, Is.EqualTo(new[] { s_gateway }));
        Assert.That(offerMessage.DnsServers, Is.EqualTo(new[] { s_gateway }));
        Assert.That(offerMessage.DomainName, Is.EqualTo("ipop"));
        Assert.That(offerMessage.InterfaceMtu, Is.EqualTo((ushort)1200));
        Assert.That(offerMessage.ToArray(), Has.Length.EqualTo(DhcpMessage.BootpMinimumSize));
        Assert.That(offer.IsBroadcast, Is.False, "broadcast flag clear: unicast to yiaddr and chaddr");
        Assert.That(offer.DestinationAddress, Is.EqualTo(offered));
        Assert.That(offer.DestinationMac, Is.EqualTo(s_mac));

        DhcpMessage request = Request(s_mac, serverId: s_gateway, requested: offered, broadcast: true);
        DhcpReply? ack = await _server.HandleAsync(request);

        Assert.That(ack?.Message.MessageType, Is.EqualTo(DhcpMessageType.Ack));
        Assert.That(ack!.Message.YourAddress, Is.EqualTo(offered));
        Assert.That(ack.IsBroadcast, Is.True, "broadcast flag set");
        Assert.That(ack.DestinationMac, Is.EqualTo(DhcpReply.BroadcastMac));
        Assert.That(_allocator.Holders[offered], Is.EqualTo(s_mac));
        Assert.That(DhcpMessage.Parse(ack.Message.ToArray()).ToArray(), Is.EqualTo(ack.Message.ToArray()), "the reply is well-formed");
    }

    [Test]
    public async Task HandleAsync_DiscoverWithRequestedAddress_OffersIt()
    {
        IPAddress wanted = IPAddress.Parse("100.64.0.77");
        DhcpMessage discover = Message(s_mac, DhcpMessageType.Discover) with
        {
            Options = [DhcpOption.FromMessageType(DhcpMessageType.Discover), DhcpOption.FromAddress(DhcpOptionCode.RequestedIPAddress, wanted)],
        };

        DhcpReply? offer = await _server.HandleAsync(discover);

        Assert.That(offer?.Message.YourAddress, Is.EqualTo(wanted));
    }

    [Test]
    public async Task HandleAsync_DiscoverWithPoolExhausted_NoReply()
    {
        _pool = new AddressPool(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.255.252"), [], new Random(1));
        _allocator = new FakeAllocator(_pool);
        _server = new DhcpServer(new DhcpServerOptions { Pool = _pool, LeaseTime = 60 }, _allocator);
        Assert.That((await _server.HandleAsync(Message(s_mac, DhcpMessageType.Discover)))?.Message.YourAddress, Is.EqualTo(IPAddress.Parse("100.64.0.2")));

        DhcpReply? second = await _server.HandleAsync(Message(s_otherMac, DhcpMessageType.Discover));

        Assert.That(second, Is.Null);
    }

    [Test]
    public async Task HandleAsync_RenewingWithCiaddr_AcksUnicastToCiaddr()
    {
        IPAddress address = IPAddress.Parse("100.64.0.50");
        _allocator.Holders[address] = s_mac;
        DhcpMessage renew = Request(s_mac, serverId: null, requested: null, broadcast: false) with { ClientAddress = address };

        DhcpReply? ack = await _server.HandleAsync(renew);

        Assert.That(ack?.Message.MessageType, Is.EqualTo(DhcpMessageType.Ack));
        Assert.That(ack!.Message.YourAddress, Is.EqualTo(address));
        Assert.That(ack.Message.ClientAddress, Is.EqualTo(address), "RFC 2131 table 3: ciaddr echoed");
        Assert.That(ack.DestinationAddress, Is.EqualTo(address));
        Assert.That(ack.DestinationMac, Is.EqualTo(s_mac));
        Assert.That(_allocator.Calls, Does.Contain($"renew {s_mac} {address}"));
    }

    [Test]
    public async Task HandleAsync_InitRebootForAddressHeldByOther_NaksBroadcast()
    {
        IPAddress address = IPAddress.Parse("100.64.0.50");
        _allocator.Holders[address] = s_otherMac;

        DhcpReply? nak = await _server.HandleAsync(Request(s_mac, serverId: null, requested: address, broadcast: false));

        Assert.That(nak?.Message.MessageType, Is.EqualTo(DhcpMessageType.Nak));
        Assert.That(nak!.Message.YourAddress, Is.EqualTo(IPAddress.Any));
        Assert.That(nak.Message.LeaseTime, Is.Null);
        Assert.That(nak.IsBroadcast, Is.True, "RFC 2131 §4.1: NAK is broadcast");
        Assert.That(_allocator.Holders[address], Is.EqualTo(s_otherMac));
    }

    [TestCase("10.0.0.5", Description = "another network (the host moved)")]
    [TestCase("100.64.0.1", Description = "the gateway")]
    [TestCase("100.64.0.255", Description = "broadcast")]
    [TestCase("100.64.0.2", Description = "reserved")]
    public async Task HandleAsync_RequestForUnleasableAddress_Naks(string address)
    {
        DhcpReply? nak = await _server.HandleAsync(Request(s_mac, serverId: null, requested: IPAddress.Parse(address), broadcast: false));

        Assert.That(nak?.Message.MessageType, Is.EqualTo(DhcpMessageType.Nak));
        Assert.That(_allocator.Calls, Is.Empty, "the DHT is not asked");
    }

    [Test]
    public async Task HandleAsync_RequestForAnotherServer_NoReply()
    {
        DhcpReply? reply = await _server.HandleAsync(Request(s_mac, serverId: IPAddress.Parse("100.64.0.9"), requested: IPAddress.Parse("100.64.0.50"), broadcast: true));

        Assert.That(reply, Is.Null);
        Assert.That(_allocator.Calls, Is.Empty);
    }

    [Test]
    public async Task HandleAsync_Release_ReleasesAndDoesNotReply()
    {
        IPAddress address = IPAddress.Parse("100.64.0.50");
        _allocator.Holders[address] = s_mac;
        DhcpMessage release = Message(s_mac, DhcpMessageType.Release) with
        {
            ClientAddress = address,
            Options = [DhcpOption.FromMessageType(DhcpMessageType.Release), DhcpOption.FromAddress(DhcpOptionCode.ServerIdentifier, s_gateway)],
        };

        DhcpReply? reply = await _server.HandleAsync(release);

        Assert.That(reply, Is.Null);
        Assert.That(_allocator.Holders, Does.Not.ContainKey(address));
    }

    [Test]
    public async Task HandleAsync_Decline_MarksAddressBadAndNextDiscoverAvoidsIt()
    {
        IPAddress address = IPAddress.Parse("100.64.0.50");
        _allocator.Holders[address] = s_mac;
        DhcpMessage decline = Message(s_mac, DhcpMessageType.Decline) with
        {
            Options =
            [
                DhcpOption.FromMessageType(DhcpMessageType.Decline),
                DhcpOption.FromAddress(DhcpOptionCode.RequestedIPAddress, address),
                DhcpOption.FromAddress(DhcpOptionCode.ServerIdentifier, s_gateway),
            ],
        };

        Assert.That(await _server.HandleAsync(decline), Is.Null);
        DhcpReply? offer = await _server.HandleAsync(Message(s_mac, DhcpMessageType.Discover) with
        {
            Options = [DhcpOption.FromMessageType(DhcpMessageType.Discover), DhcpOption.FromAddress(DhcpOptionCode.RequestedIPAddress, address)],
        });

        Assert.That(_allocator.Declined, Does.Contain(address));
        Assert.That(offer?.Message.YourAddress, Is.Not.EqualTo(address));
    }

    [Test]
    public async Task HandleAsync_Inform_AcksWithoutLease()
    {
        IPAddress address = IPAddress.Parse("100.64.0.50");
        DhcpMessage inform = Message(s_mac, DhcpMessageType.Inform) with { ClientAddress = address };

        DhcpReply? ack = await _server.HandleAsync(inform);

        Assert.That(ack?.Message.MessageType, Is.EqualTo(DhcpMessageType.Ack));
        Assert.That(ack!.Message.YourAddress, Is.EqualTo(IPAddress.Any));
        Assert.That(ack.Message.LeaseTime, Is.Null, "RFC 2131 §4.3.5: no lease time");
        Assert.That(ack.Message.Routers, Is.EqualTo(new[] { s_gateway }));
        Assert.That(ack.DestinationAddress, Is.EqualTo(address));
        Assert.That(_allocator.Calls, Is.Empty);
    }

    [Test]
    public async Task HandleAsync_ReplyOrRelayedOrNonEthernet_NoReply()
    {
        DhcpMessage discover = Message(s_mac, DhcpMessageType.Discover);

        Assert.That(await _server.HandleAsync(discover with { Op = BootpOpcode.BootReply }), Is.Null);
        Assert.That(await _server.HandleAsync(discover with { RelayAddress = IPAddress.Parse("192.168.0.1") }), Is.Null);
        Assert.That(await _server.HandleAsync(discover with { HardwareType = 6 }), Is.Null);
        Assert.That(await _server.HandleAsync(discover with { Options = [] }), Is.Null, "BOOTP without option 53");
        Assert.That(_allocator.Calls, Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DhclientRequestAfterOffer_Acks()
    {
        DhcpMessage request = DhcpMessage.Parse(Convert.FromHexString(DhcpSamples.DhclientRequest));
        _pool = new AddressPool(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [], new Random(3));
        _allocator = new FakeAllocator(_pool);
        _server = new DhcpServer(new DhcpServerOptions { Pool = _pool, LeaseTime = 600, Mtu = 1280 }, _allocator);

        DhcpReply? ack = await _server.HandleAsync(request);

        Assert.That(ack?.Message.MessageType, Is.EqualTo(DhcpMessageType.Ack));
        Assert.That(ack!.Message.YourAddress, Is.EqualTo(IPAddress.Parse("100.64.10.7")));
        Assert.That(ack.Message.SubnetMask, Is.EqualTo(IPAddress.Parse("255.255.0.0")));
        Assert.That(ack.Message.InterfaceMtu, Is.EqualTo((ushort)1280));
        Assert.That(ack.Message.RenewalTime, Is.EqualTo(300u));
        Assert.That(ack.Message.RebindingTime, Is.EqualTo(525u));
    }

    private static DhcpMessage Message(PhysicalAddress mac, DhcpMessageType type)
    {
        byte[] chaddr = new byte[DhcpMessage.ClientHardwareAddressSize];
        mac.GetAddressBytes().CopyTo(chaddr, 0);
        return new DhcpMessage
        {
            TransactionId = 0x11223344,
            ClientHardwareAddress = chaddr,
            Options = [DhcpOption.FromMessageType(type)],
        };
    }

    private static DhcpMessage Request(PhysicalAddress mac, IPAddress? serverId, IPAddress? requested, bool broadcast)
    {
        List<DhcpOption> options = [DhcpOption.FromMessageType(DhcpMessageType.Request)];
        if (serverId is not null)
        {
            options.Add(DhcpOption.FromAddress(DhcpOptionCode.ServerIdentifier, serverId));
        }
        if (requested is not null)
        {
            options.Add(DhcpOption.FromAddress(DhcpOptionCode.RequestedIPAddress, requested));
        }
        return Message(mac, DhcpMessageType.Request) with { Flags = broadcast ? DhcpMessage.BroadcastFlag : (ushort)0, Options = options };
    }
}
