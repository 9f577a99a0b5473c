using Brunet.Addressing;
using Brunet.Config;
using Brunet.Security;
using Brunet.Security.Certificates;
using Ipop.Dhcp.Config;

namespace Ipop.Dht.Security;

/// <summary>
/// The policy of a private GroupVPN (ipop.config's <c>GroupVPN</c> enabled): only holders of a valid, unrevoked
/// certificate from the group's authority are members. Wraps a <see cref="GroupTrust"/>.
/// </summary>
/// <remarks>
/// Revocation replication: the node periodically reads the DHT key <see cref="RevocationKey"/>
/// (<c>groupvpn:&lt;group&gt;:crl</c>) and passes the values to <see cref="ApplyRevocationValues"/>; when it returns
/// true, peers already admitted are checked again with <see cref="Check"/>. A node that holds a list
/// (<see cref="CurrentRevocationList"/>) re-puts it under that key, so the list outlives its publisher.
/// </remarks>
public sealed class GroupMembership : IGroupPolicy
{
    private const string AuthorityElement = "IpopConfig/GroupVPN/AuthorityCertificate";
    private const string CertificateElement = "IpopConfig/GroupVPN/Certificate";

    private readonly byte[] _leaseCredential;

    private GroupMembership(GroupTrust trust)
    {
        Trust = trust;
        _leaseCredential = MemberCredential.Create(trust.Local, trust.Authority).Encode();
    }

    public GroupTrust Trust { get; }

    public bool IsPrivate => true;

    public string GroupName => Trust.GroupName;

    /// <summary>This member's host name in the certificate (its DNS name is <c>&lt;HostName&gt;.ipop</c>).</summary>
    public string HostName => Trust.HostName;

    public byte[] LocalCertificate => Trust.LocalCertificate;

    /// <inheritdoc cref="GroupTrust.RevocationKey"/>
    public string RevocationKey => Trust.RevocationKey;

    /// <summary>The binary form of the newest revocation list applied, to re-put under <see cref="RevocationKey"/>; null when none.</summary>
    public byte[]? CurrentRevocationList => Trust.Revocations?.Encode();

    /// <summary>True once a revocation list names this node's own certificate: the node should leave the group.</summary>
    public bool IsLocalRevoked => Trust.IsLocalRevoked;

    string? IGroupPolicy.GroupName => GroupName;

    byte[]? IGroupPolicy.LocalCertificate => LocalCertificate;

    /// <summary>This member's certificate with its authority's, attached to its lease records (a copy).</summary>
    public byte[] LeaseCredential => (byte[])_leaseCredential.Clone();

    byte[]? IGroupPolicy.LeaseCredential => LeaseCredential;

    /// <summary>
    /// Loads ca.crt and node.crt named by <paramref name="config"/>'s <c>GroupVPN</c> and checks them against
    /// <paramref name="identity"/> (the node's key). Throws <see cref="ConfigException"/> naming the certificate file,
    /// the element (<c>IpopConfig/GroupVPN/Certificate</c> or <c>.../AuthorityCertificate</c>) and the reason: a
    /// missing or malformed file, a certificate for another node's address, expired or not yet valid, not signed by
    /// the authority, for another group. <see cref="ArgumentException"/> when GroupVPN is not enabled (use the open
    /// policy then).
    /// </summary>
    public static GroupMembership Load(IpopConfig config, NodeIdentity identity, TimeProvider? time = null)
    {
        GroupVpnConfig group = config.GroupVpn;
        if (!group.Enabled)
        {
            throw new ArgumentException($"{config.FilePath}: GroupVPN is not enabled.", nameof(config));
        }
        if (group.AuthorityCertificatePath is null)
        {
            throw new ConfigException(config.FilePath, AuthorityElement, "the group authority's certificate, e.g. ca.crt");
        }
        if (group.CertificatePath is null)
        {
            throw new ConfigException(config.FilePath, CertificateElement, "this member's certificate, e.g. node.crt");
        }
        return new GroupMembership(GroupTrust.Load(group.AuthorityCertificatePath, AuthorityElement, group.CertificatePath,
            CertificateElement, identity, time));
    }

    /// <summary>A membership from a trust already loaded (tests, or a node that shares the overlay's trust).</summary>
    public static GroupMembership FromTrust(GroupTrust trust) => new(trust);

    public string? Check(PeerIdentity peer) => Trust.Check(peer);

    public string? CheckCertificate(Address writer, ReadOnlySpan<byte> certificate) => Trust.CheckCertificate(writer, certificate);

    public string? CheckLeaseRecord(Address writer, ReadOnlySpan<byte> signingKey, byte[]? credential, string? hostName = null)
    {
        if (credential is null)
        {
            return $"{writer} attached no member credential of group {GroupName}";
        }
        MemberCredential? decoded = MemberCredential.TryDecode(credential, out string? reason);
        if (decoded is null)
        {
            return $"{writer}: {reason}";
        }
        if (!decoded.Member.SigningPublicKey.SequenceEqual(signingKey))
        {
            return $"{writer} signed its lease with a key other than its certificate's ({decoded.Member.HostName})";
        }
        if (hostName is not null && !CertificateNames.AreEqual(hostName, decoded.Member.HostName))
        {
            return $"{writer} claims host name {hostName}, but its certificate is for {decoded.Member.HostName}";
        }
        // Our own authority, not the one the credential brings: a look-alike group of the same name does not pass.
        return Trust.CheckCertificate(writer, decoded.Member.Encode());
    }

    /// <summary>
    /// For the overlay's <see cref="HandshakeOptions.Authorize"/> when the overlay itself is private to this group:
    /// null admits <paramref name="peer"/>. The same test as <see cref="Check"/>.
    /// </summary>
    public string? CheckForOverlay(PeerIdentity peer) => Trust.Check(peer);

    /// <inheritdoc cref="GroupTrust.ApplyRevocationList"/>
    public string? ApplyRevocationList(ReadOnlySpan<byte> list) => Trust.ApplyRevocationList(list);

    /// <inheritdoc cref="GroupTrust.ApplyRevocationValues"/>
    public bool ApplyRevocationValues(IEnumerable<ReadOnlyMemory<byte>> values) => Trust.ApplyRevocationValues(values);
}
