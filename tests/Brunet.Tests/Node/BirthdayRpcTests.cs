using System.Buffers;
using System.Buffers.Binary;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Nat;
using Brunet.Node;
using Brunet.Routing;

namespace Brunet.Tests.Node;

/// <summary>
/// <see cref="Methods.Birthday"/> between nodes on loopback (no NAT, so neither is symmetric): hostile or pointless
/// requests are refused without starting a race (a race here would probe random loopback ports).
/// </summary>
public sealed class BirthdayRpcTests
{
    private static byte[] Request(ulong token, byte mapping, string endPoint)
    {
        var body = new ArrayBufferWriter<byte>(64);
        var writer = new WireWriter(body);
        writer.WriteUInt64(token);
        writer.WriteByte(mapping);
        writer.WriteString8(endPoint);
        return body.WrittenSpan.ToArray();
    }

    [Test]
    public async Task Birthday_MalformedOrNeedless_RefusedWithoutARace()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 3; i++)
        {
            ring.AddNode();
        }
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        OverlayNode from = ring.Nodes[0];
        OverlayNode to = ring.Nodes[1];
        RpcTarget target = RpcTarget.Routed(to.Address, RoutingMode.Exact);

        byte[] truncated = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(truncated, 7);
        RpcResult shortBody = await from.CallAsync(target, Methods.Birthday, truncated);
        Assert.That(shortBody.Error, Is.EqualTo(RpcError.BadRequest), shortBody.ToString());

        RpcResult badMapping = await from.CallAsync(target, Methods.Birthday, Request(1, 9, "198.18.1.3:40000"));
        Assert.That(badMapping.Error, Is.EqualTo(RpcError.BadRequest), badMapping.ToString());

        RpcResult noEndPoint = await from.CallAsync(target, Methods.Birthday, Request(1, (byte)NatMapping.EndpointIndependent, "not an end point"));
        Assert.That(noEndPoint.Error, Is.EqualTo(RpcError.BadRequest), noEndPoint.ToString());

        // Neither side symmetric: a plain punch works, so no race.
        RpcResult cone = await from.CallAsync(target, Methods.Birthday, Request(1, (byte)NatMapping.EndpointIndependent, "198.18.1.3:40000"));
        Assert.That(cone.Error, Is.EqualTo(RpcError.Refused), cone.ToString());
        Assert.That(cone.Message, Does.Contain("exactly one symmetric NAT"));

        // A symmetric requester naming an IP it is not known by: no probes to a stranger's address.
        RpcResult stranger = await from.CallAsync(target, Methods.Birthday, Request(1, (byte)NatMapping.PortDependent, "198.18.77.77:40000"));
        Assert.That(stranger.Error, Is.EqualTo(RpcError.Refused), stranger.ToString());
        Assert.That(stranger.Message, Does.Contain("not one the requester is known by"));
        Assert.That(to.BirthdayWins, Is.Zero);
    }

    private static Task<T> OnLoop<T>(OverlayNode node, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Loop.Post(() => done.SetResult(work()));
        return done.Task;
    }

    [Test]
    public async Task Birthday_RequestsCrossed_TheSmallerAddressGoesAheadAndTheOtherDropsItsOwn()
    {
        // Both sides timed out on a direct attempt and asked each other at once. Refusing each other would repeat at
        // every retry: the node with the smaller address refuses with the fixed text the requester recognises (it
        // then serves the other request when it comes), and the larger one drops its own request and serves.
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 3; i++)
        {
            ring.AddNode();
        }
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        OverlayNode small = ring.Nodes[0].Address < ring.Nodes[1].Address ? ring.Nodes[0] : ring.Nodes[1];
        OverlayNode large = ReferenceEquals(small, ring.Nodes[0]) ? ring.Nodes[1] : ring.Nodes[0];
        static string UdpEndPoint(OverlayNode node) =>
            node.TransportAddresses.First(a => a.Kind == Brunet.Transport.TransportKind.Udp).EndPoint!.ToString();

        // The smaller address got the larger one's request while its own is out: it goes ahead.
        await OnLoop(small, () =>
        {
            small.PretendBirthdayRequested(large.Address, 41);
            return true;
        });
        RpcResult refused = await large.CallAsync(RpcTarget.Routed(small.Address, RoutingMode.Exact), Methods.Birthday,
            Request(42, (byte)NatMapping.PortDependent, UdpEndPoint(large)));
        Assert.That(refused.Error, Is.EqualTo(RpcError.Refused), refused.ToString());
        Assert.That(refused.Message, Is.EqualTo("our requests crossed and ours goes ahead"));
        Assert.That(await OnLoop(small, () => small.IsBirthdayRequested(large.Address)), Is.True, "the smaller side dropped its own request");

        // The larger address got the smaller one's request while its own is out: it drops its own and serves (here
        // refusing only because the two are linked directly already, which keeps a race off loopback).
        await OnLoop(large, () =>
        {
            large.PretendBirthdayRequested(small.Address, 43);
            return true;
        });
        RpcResult served = await small.CallAsync(RpcTarget.Routed(large.Address, RoutingMode.Exact), Methods.Birthday,
            Request(44, (byte)NatMapping.PortDependent, UdpEndPoint(small)));
        Assert.That(served.Message, Does.Contain("linked directly already"), served.ToString());
        Assert.That(await OnLoop(large, () => large.IsBirthdayRequested(small.Address)), Is.False, "the larger side kept its own request");
        Assert.That(small.BirthdayWins + large.BirthdayWins, Is.Zero);
    }
}
