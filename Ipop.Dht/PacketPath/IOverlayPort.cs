using Brunet.Addressing;
using Brunet.Node;
using Brunet.Security;

namespace Ipop.Dht.PacketPath;

/// <summary>What the packet path needs of the overlay node (<see cref="OverlayPort"/>; a fake in tests).</summary>
internal interface IOverlayPort
{
    /// <summary>Sends an IP packet to <paramref name="destination"/>: over its direct link, else routed if allowed. Any thread; no allocation.</summary>
    OverlayNode.DataSend Send(Address destination, ReadOnlySpan<byte> packet, bool allowRouted);

    /// <summary>
    /// Sends <paramref name="frame"/> (<see cref="OverlayNode.SuperFrameHeadroom"/> bytes the node writes, then GSO facts
    /// and the packet) as one super-frame over the direct link, in datagrams no larger than a packet of
    /// <paramref name="segmentPayload"/> bytes takes; NotSent, the frame untouched, when the link does not take them.
    /// </summary>
    OverlayNode.DataSend SendSuperFrame(Address destination, Span<byte> frame, int segmentPayload) => OverlayNode.DataSend.NotSent;

    /// <summary>The identity the direct link to <paramref name="peer"/> proved, or null without one. Any thread.</summary>
    PeerIdentity? DirectPeer(Address peer);

    /// <summary>Asks for a direct (on-demand) link to <paramref name="peer"/>. Any thread.</summary>
    void RequestDirectLink(Address peer);
}
