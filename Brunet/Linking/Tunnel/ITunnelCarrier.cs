using Brunet.Addressing;

namespace Brunet.Linking.Tunnel;

/// <summary>What a relay edge needs of its node: who it is, and a direct link to send a tunnel payload over.</summary>
public interface ITunnelCarrier
{
    Address Self { get; }

    /// <summary>True when the node has a direct (non-relay) link to <paramref name="peer"/>.</summary>
    bool HasDirectLink(Address peer);

    /// <summary>Sends a tunnel payload (header and datagram) over the direct link to <paramref name="via"/>.</summary>
    bool SendTunnel(Address via, ReadOnlySpan<byte> payload);

    /// <summary>Largest tunnel payload one frame carries.</summary>
    int MaxTunnelPayload { get; }
}
