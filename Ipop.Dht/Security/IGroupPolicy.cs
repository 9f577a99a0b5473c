using Brunet.Addressing;
using Brunet.Security;

namespace Ipop.Dht.Security;

/// <summary>
/// Who may take part in a GroupVPN: lease an address in its namespace, send it traffic and be reached by it.
/// The open policy admits everyone; a group authority's certificates admit members only.
/// </summary>
public interface IGroupPolicy
{
    /// <summary>True when the VPN is private to a group (GroupVPN enabled).</summary>
    bool IsPrivate { get; }

    /// <summary>The group's name (the certificate's group), or null for an open VPN.</summary>
    string? GroupName { get; }

    /// <summary>This node's certificate, presented in every handshake; null for an open VPN.</summary>
    byte[]? LocalCertificate { get; }

    /// <summary>Null when <paramref name="peer"/> (authenticated by its edge's handshake) is a member; else why not.</summary>
    string? Check(PeerIdentity peer);

    /// <summary>Null when <paramref name="writer"/> may hold a lease in the group (used when a lease record's writer is checked); else why not.</summary>
    string? CheckCertificate(Address writer, ReadOnlySpan<byte> certificate);

    /// <summary>
    /// What this node attaches to its lease records (<see cref="Brunet.Security.Certificates.MemberCredential"/>), so
    /// every DHT holder lets them displace non-members' records (<see cref="Brunet.Dht.LeaseRecordRule"/>); null for an open VPN.
    /// </summary>
    byte[]? LeaseCredential { get; }

    /// <summary>
    /// Null when a lease record written by <paramref name="writer"/> (signed with <paramref name="signingKey"/>, carrying
    /// <paramref name="credential"/>) maps its address, or its host name <paramref name="hostName"/>, for this node: in a
    /// private group, the credential must be a valid, unrevoked certificate of this group's authority for exactly that
    /// writer (and that host name). Else why not.
    /// </summary>
    string? CheckLeaseRecord(Address writer, ReadOnlySpan<byte> signingKey, byte[]? credential, string? hostName = null);
}
