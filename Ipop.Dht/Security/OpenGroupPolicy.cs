using Brunet.Addressing;
using Brunet.Security;

namespace Ipop.Dht.Security;

/// <summary>The policy of a VPN without GroupVPN: every node of the overlay may lease, send and be reached.</summary>
public sealed class OpenGroupPolicy : IGroupPolicy
{
    public static OpenGroupPolicy Instance { get; } = new();

    public bool IsPrivate => false;

    public string? GroupName => null;

    public byte[]? LocalCertificate => null;

    public string? Check(PeerIdentity peer) => null;

    public string? CheckCertificate(Address writer, ReadOnlySpan<byte> certificate) => null;

    public byte[]? LeaseCredential => null;

    public string? CheckLeaseRecord(Address writer, ReadOnlySpan<byte> signingKey, byte[]? credential, string? hostName = null) => null;
}
