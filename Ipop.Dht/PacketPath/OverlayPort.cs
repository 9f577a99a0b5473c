using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Node;
using Brunet.Security;

namespace Ipop.Dht.PacketPath;

/// <summary>The packet path's view of a real <see cref="OverlayNode"/>: IP packets as <see cref="PayloadType.IpPacket"/>.</summary>
internal sealed class OverlayPort(OverlayNode node) : IOverlayPort
{
    public OverlayNode.DataSend Send(Address destination, ReadOnlySpan<byte> packet, bool allowRouted) =>
        node.SendData(destination, PayloadType.IpPacket, packet, allowRouted);

    public OverlayNode.DataSend SendSuperFrame(Address destination, Span<byte> frame, int segmentPayload) =>
        node.SendSuperFrame(destination, PayloadType.IpGsoPacket, frame, segmentPayload);

    public PeerIdentity? DirectPeer(Address peer) => node.DirectPeer(peer);

    public void RequestDirectLink(Address peer) => node.RequestDirectLink(peer);
}
