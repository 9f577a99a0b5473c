using Brunet.Addressing;
using Brunet.Config;
using Brunet.Messaging;

namespace Brunet.Security.Certificates;

/// <summary>
/// One node's view of its group: the authority it trusts, its own member certificate, and the newest revocation list
/// it has seen. Answers "is this peer a member?" for the private overlay (<see cref="HandshakeOptions.Authorize"/>)
/// and for the GroupVPN. Thread-safe: checks may run on any thread while a new revocation list is applied.
/// </summary>
public sealed class GroupTrust
{
    private readonly TimeProvider _time;
    private readonly byte[] _localEncoded;
    private readonly object _revocationLock = new();
    private RevocationList? _revocations;

    private GroupTrust(AuthorityCertificate authority, GroupCertificate local, TimeProvider time)
    {
        Authority = authority;
        Local = local;
        _localEncoded = local.Encode();
        _time = time;
    }

    public AuthorityCertificate Authority { get; }

    public GroupCertificate Local { get; }

    /// <summary>This node's certificate in binary form, for <see cref="HandshakeOptions.LocalCertificate"/> (a copy).</summary>
    public byte[] LocalCertificate => (byte[])_localEncoded.Clone();

    public string GroupName => Authority.GroupName;

    public string HostName => Local.HostName;

    /// <summary>
    /// The DHT key of the group's revocation list: <c>groupvpn:&lt;group&gt;:crl</c>, the group name as ca.crt spells
    /// it. Its values are binary <see cref="RevocationList"/>s (armoured text is accepted too).
    /// </summary>
    public string RevocationKey => RevocationKeyFor(GroupName);

    /// <summary>The newest revocation list applied, or null.</summary>
    public RevocationList? Revocations => Volatile.Read(ref _revocations);

    /// <summary>True once a revocation list names this node's own certificate.</summary>
    public bool IsLocalRevoked => Revocations?.IsRevoked(Local.Serial) == true;

    public static string RevocationKeyFor(string groupName) => $"groupvpn:{groupName}:crl";

    /// <summary>
    /// A trust from certificates already read. Throws <see cref="ArgumentException"/> with the reason when the authority
    /// is not self-signed, or <paramref name="local"/> is not its valid certificate for <paramref name="identity"/>.
    /// </summary>
    public static GroupTrust Create(AuthorityCertificate authority, GroupCertificate local, NodeIdentity identity, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        string? reason = CheckAuthority(authority, time.GetUtcNow()) ?? CheckLocal(authority, local, identity, time.GetUtcNow());
        return reason is null ? new GroupTrust(authority, local, time) : throw new ArgumentException(reason);
    }

    /// <summary>
    /// Reads and checks the authority certificate and this node's certificate. Throws <see cref="ConfigException"/>
    /// whose file is the certificate at fault and whose element is the config element that named it (e.g.
    /// <c>NodeConfig/Security/Certificate</c>): a missing or malformed file, an authority certificate that is not
    /// self-signed or has expired, a certificate not signed by the authority, for another group, for another node
    /// than <paramref name="identity"/>, expired or not yet valid.
    /// </summary>
    public static GroupTrust Load(string authorityPath, string authorityElement, string certificatePath, string certificateElement,
        NodeIdentity identity, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        AuthorityCertificate authority;
        GroupCertificate local;
        try
        {
            authority = AuthorityCertificate.Load(authorityPath);
        }
        catch (CertificateException e)
        {
            throw new ConfigException(authorityPath, authorityElement, e.Reason, innerException: e);
        }
        string? reason = CheckAuthority(authority, time.GetUtcNow());
        if (reason is not null)
        {
            throw new ConfigException(authorityPath, authorityElement, reason);
        }
        try
        {
            local = GroupCertificate.Load(certificatePath);
        }
        catch (CertificateException e)
        {
            throw new ConfigException(certificatePath, certificateElement, e.Reason, innerException: e);
        }
        reason = CheckLocal(authority, local, identity, time.GetUtcNow());
        if (reason is not null)
        {
            throw new ConfigException(certificatePath, certificateElement, reason);
        }
        return new GroupTrust(authority, local, time);
    }

    /// <summary>
    /// The trust of a private overlay (node.config's <c>Security/AuthorityCertificate</c> and <c>Security/Certificate</c>),
    /// or null for an open overlay. Throws <see cref="ConfigException"/> as <see cref="Load"/>.
    /// </summary>
    public static GroupTrust? LoadForOverlay(SecurityConfig security, NodeIdentity identity, TimeProvider? time = null) =>
        security.IsPrivateOverlay
            ? Load(security.AuthorityCertificatePath!, "NodeConfig/Security/AuthorityCertificate", security.CertificatePath!,
                "NodeConfig/Security/Certificate", identity, time)
            : null;

    /// <summary>
    /// Null when <paramref name="peer"/>, whose keys and address its handshake proved, presented a valid, unrevoked
    /// certificate of this group for exactly those keys; else why not. Fits <see cref="HandshakeOptions.Authorize"/>.
    /// </summary>
    public string? Check(PeerIdentity peer)
    {
        if (peer.Certificate is null || peer.Certificate.Length == 0)
        {
            return $"{peer.Address} presented no certificate of group {GroupName}";
        }
        GroupCertificate? certificate = TryDecode(peer.Certificate, out string? reason);
        if (certificate is null)
        {
            return $"{peer.Address}: {reason}";
        }
        if (certificate.Address != peer.Address
            || !certificate.StaticPublicKey.SequenceEqual(peer.StaticPublicKey)
            || !certificate.SigningPublicKey.SequenceEqual(peer.SigningPublicKey))
        {
            return $"{peer.Address} presented the certificate of another node ({certificate.HostName}, {certificate.Address})";
        }
        return CheckMember(certificate);
    }

    /// <summary>
    /// Null when <paramref name="certificate"/> is a valid, unrevoked certificate of this group for the node
    /// <paramref name="writer"/> (whose keys derive that address); else why not. For records whose writer the DHT
    /// authenticated by signature, such as leases.
    /// </summary>
    public string? CheckCertificate(Address writer, ReadOnlySpan<byte> certificate)
    {
        if (certificate.IsEmpty)
        {
            return $"{writer} has no certificate of group {GroupName}";
        }
        GroupCertificate? decoded = TryDecode(certificate, out string? reason);
        if (decoded is null)
        {
            return $"{writer}: {reason}";
        }
        if (decoded.Address != writer)
        {
            return $"{writer} holds the certificate of another node ({decoded.HostName}, {decoded.Address})";
        }
        return CheckMember(decoded);
    }

    /// <summary>
    /// Applies a revocation list (binary, or armoured text): null when it is signed by this group's authority and its
    /// sequence is higher than the current list's, and now replaces it; else why it was ignored.
    /// </summary>
    public string? ApplyRevocationList(ReadOnlySpan<byte> list)
    {
        RevocationList decoded;
        try
        {
            decoded = RevocationList.DecodeAny(list);
        }
        catch (WireFormatException e)
        {
            return "malformed revocation list: " + e.Message;
        }
        string? reason = decoded.CheckIssuedBy(Authority);
        if (reason is not null)
        {
            return reason;
        }
        lock (_revocationLock)
        {
            if (_revocations is not null && decoded.Sequence <= _revocations.Sequence)
            {
                return $"revocation list sequence {decoded.Sequence} is not newer than {_revocations.Sequence}";
            }
            Volatile.Write(ref _revocations, decoded);
        }
        return null;
    }

    /// <summary>
    /// Applies the newest valid list among <paramref name="values"/> (the values read under <see cref="RevocationKey"/>).
    /// True when the current list changed: then re-check peers already admitted.
    /// </summary>
    public bool ApplyRevocationValues(IEnumerable<ReadOnlyMemory<byte>> values)
    {
        bool changed = false;
        foreach (ReadOnlyMemory<byte> value in values)
        {
            changed |= ApplyRevocationList(value.Span) is null;
        }
        return changed;
    }

    private string? CheckMember(GroupCertificate certificate)
    {
        DateTimeOffset now = _time.GetUtcNow();
        string? reason = certificate.CheckIssuedBy(Authority, now);
        if (reason is not null)
        {
            return reason;
        }
        if (Revocations?.IsRevoked(certificate.Serial) == true)
        {
            return $"certificate of {certificate.HostName} (serial {certificate.Serial}) is revoked";
        }
        return null;
    }

    private static GroupCertificate? TryDecode(ReadOnlySpan<byte> certificate, out string? reason)
    {
        try
        {
            reason = null;
            return GroupCertificate.Decode(certificate);
        }
        catch (WireFormatException e)
        {
            reason = "malformed group certificate: " + e.Message;
            return null;
        }
    }

    private static string? CheckAuthority(AuthorityCertificate authority, DateTimeOffset now)
    {
        if (!authority.IsSelfSigned)
        {
            return "the authority certificate's signature does not verify (altered file?)";
        }
        return now >= authority.Expires ? $"the group authority {authority.GroupName} expired on {authority.Expires:u}" : null;
    }

    private static string? CheckLocal(AuthorityCertificate authority, GroupCertificate local, NodeIdentity identity, DateTimeOffset now)
    {
        if (local.Address != identity.Address
            || !local.StaticPublicKey.SequenceEqual(identity.StaticPublicKey.Span)
            || !local.SigningPublicKey.SequenceEqual(identity.SigningPublicKey.Span))
        {
            return $"the certificate is for node {local.Address}, but this node's key is {identity.Address} "
                + "(use the node.key made together with this certificate by 'groupvpn ca sign')";
        }
        return local.CheckIssuedBy(authority, now);
    }
}
