using Brunet.Addressing;
using Brunet.Node;
using Brunet.Security;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.Fakes;

/// <summary>An overlay that records sends; whether a destination is directly linked is up to the test.</summary>
internal sealed class FakeOverlay : IOverlayPort
{
    private readonly Lock _gate = new();

    public HashSet<Address> Direct { get; } = [];

    /// <summary>Directly linked destinations whose transport refuses every packet (a send queue that stays full).</summary>
    public HashSet<Address> Refusing { get; } = [];

    public List<(Address Destination, byte[] Packet, OverlayNode.DataSend How)> Sent { get; } = [];

    public List<Address> LinkRequests { get; } = [];

    /// <summary>What the handshake of a direct link proved, for the destinations in <see cref="Direct"/> that have one.</summary>
    public Dictionary<Address, PeerIdentity> Peers { get; } = [];

    public PeerIdentity? DirectPeer(Address peer)
    {
        lock (_gate)
        {
            return Direct.Contains(peer) && Peers.TryGetValue(peer, out PeerIdentity? identity) ? identity : null;
        }
    }

    public OverlayNode.DataSend Send(Address destination, ReadOnlySpan<byte> packet, bool allowRouted)
    {
        lock (_gate)
        {
            if (Direct.Contains(destination) && Refusing.Contains(destination))
            {
                return OverlayNode.DataSend.Refused;
            }
            OverlayNode.DataSend how = Direct.Contains(destination) ? OverlayNode.DataSend.Direct
                : allowRouted ? OverlayNode.DataSend.Routed : OverlayNode.DataSend.NotSent;
            if (how != OverlayNode.DataSend.NotSent)
            {
                Sent.Add((destination, packet.ToArray(), how));
            }
            return how;
        }
    }

    public void RequestDirectLink(Address peer)
    {
        lock (_gate)
        {
            LinkRequests.Add(peer);
        }
    }
}
