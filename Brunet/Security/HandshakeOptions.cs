using Brunet.Addressing;

namespace Brunet.Security;

/// <summary>How a <see cref="SecureEdge"/> runs its handshake and transport.</summary>
/// <param name="Namespace">
/// The overlay's namespace; it is bound into the Noise prologue, so nodes of different namespaces never complete a
/// handshake.
/// </param>
public sealed record HandshakeOptions(string Namespace)
{
    /// <summary>Largest certificate carried in the identity payload.</summary>
    public const int MaxCertificateSize = 4096;

    /// <remarks>Defaults to 1 s. How often an unanswered handshake message is sent again.</remarks>
    public TimeSpan RetransmitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <remarks>Defaults to 10 s. A handshake not finished by then closes the edge ("handshake timed out").</remarks>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <remarks>Defaults to 2^20. After this many packets in one epoch the sender rekeys (Noise §11.3).</remarks>
    public long RekeyAfterMessages { get; init; } = 1L << 20;

    /// <remarks>Defaults to 2 minutes. After this long in one epoch the sender rekeys.</remarks>
    public TimeSpan RekeyAfterTime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Sent to the peer in the identity payload (a GroupVPN member certificate); at most 4096 bytes.</summary>
    public byte[]? LocalCertificate { get; init; }

    /// <summary>Called once the peer proved its key and address: null accepts, a string refuses with that reason.</summary>
    public Func<PeerIdentity, string?>? Authorize { get; init; }

    /// <remarks>
    /// Defaults to 1472 (an IPv4 UDP payload at MTU 1500). Pass the listener's <c>IEdgeListener.MaxDatagramSize</c>:
    /// <see cref="SecureEdge.MaxPlaintextSize"/> is this minus the 26 bytes of transport overhead.
    /// </remarks>
    public int MaxDatagramSize { get; init; } = 1472;

    /// <summary>
    /// True: this side reassembles super-frames (<see cref="SecureEdge.TrySendSuperFrame"/>) and says so to each peer
    /// after the handshake. Defaults to false (a node whose data path has no use for them).
    /// </summary>
    public bool AcceptSuperFrames { get; init; }

    /// <summary>TEST HOOK: claim this address instead of our own (a peer must refuse us).</summary>
    internal Address? ClaimedAddressOverride { get; init; }
}
