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
}
