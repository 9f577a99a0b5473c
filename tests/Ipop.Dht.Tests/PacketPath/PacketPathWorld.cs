using System.Net;
using Brunet.Addressing;
using Brunet.Security;
using Ipop.Dhcp.Leases;
using Ipop.Dht.Leases;
using Ipop.Dht.PacketPath;
using Ipop.Dht.Resolution;
using Ipop.Dht.Tests.Fakes;

namespace Ipop.Dht.Tests.PacketPath;

/// <summary>
/// What the packet-path tests share: the host (alice, 100.64.0.10) and a peer, bob (100.64.0.20), whose lease is
/// planted in a fake store, with a manual clock and a lease resolver over that store (namespace "demo").
/// </summary>
internal sealed class PacketPathWorld
{
    public static readonly MacAddress HostMac = new(0x0200_0000_0042);
    public static readonly Address Bob = Address.FromHash([2]);
    public static readonly IPAddress AliceIp = IPAddress.Parse("100.64.0.10");
    public static readonly IPAddress BobIp = IPAddress.Parse("100.64.0.20");

    public PacketPathWorld()
    {
        Time = new ManualTimeProvider();
        Store = new FakeLeaseStore(Time);
        Resolver = new LeaseResolver(Store, "demo", Time);
        Store.Plant(LeaseKeys.For("demo", BobIp), Bob.ToString(), Bob, TimeSpan.FromMinutes(10));
    }

    public ManualTimeProvider Time { get; }

    public FakeLeaseStore Store { get; }

    public LeaseResolver Resolver { get; }

    /// <summary>The VPN's range, 100.64.0.0/16.</summary>
    public static AddressPool Pool() => new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [], new Random(3));

    /// <summary>The identity a secure edge to <paramref name="address"/> reports (keys do not matter here).</summary>
    public static PeerIdentity Peer(Address address) => new(address, new byte[32], new byte[32], [9], null);
}
