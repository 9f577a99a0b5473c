using System.Text;
using Brunet.Security.Certificates;

namespace Brunet.Dht;

/// <summary>
/// What every holder enforces on GroupVPN lease keys, whether or not it belongs to a group (bootstrap nodes know
/// none): addresses, <c>dhcp:&lt;namespace&gt;:&lt;ip&gt;</c>, and host names, <c>dns:&lt;namespace&gt;:&lt;host&gt;</c>.
/// <list type="bullet">
/// <item>a record that carries a credential must carry a valid <see cref="MemberCredential"/> of its writer (signature
/// chain up to a self-signed authority, within its validity, the certificate's node address and signing key are the
/// record's; for a host name, the certificate's host name is the key's); otherwise it is refused with
/// <see cref="DhtStoreStatus.BadCredential"/>;</item>
/// <item>a Create with a valid credential whose group name is the key's namespace displaces other writers' records
/// that carry no credential, so a node outside the group cannot squat on the group's addresses or names;</item>
/// <item>otherwise the usual rules hold: between two credentialed Creates the first one wins, and a writer renews its
/// own record freely.</item>
/// </list>
/// </summary>
/// <remarks>
/// Holders cannot know which authority a group trusts: on an open overlay a look-alike authority with the same group
/// name passes here too, and only the first-come rule stands between it and a member. Members therefore also check a
/// lease's credential against their own authority before they use it.
/// </remarks>
public static class LeaseRecordRule
{
    private static ReadOnlySpan<byte> AddressPrefix => "dhcp:"u8;

    private static ReadOnlySpan<byte> HostNamePrefix => "dns:"u8;

    /// <summary>The namespace of a lease key (<c>dhcp:&lt;ns&gt;:&lt;ip&gt;</c> or <c>dns:&lt;ns&gt;:&lt;host&gt;</c>), or null when the key is not one.</summary>
    public static string? NamespaceOf(ReadOnlySpan<byte> key) => Split(key, out string? ipopNamespace, out _) ? ipopNamespace : null;

    /// <summary>
    /// Null when <paramref name="record"/> may be stored as far as this rule goes; else why not (the store answers
    /// <see cref="DhtStoreStatus.BadCredential"/>). <paramref name="displacesUncredentialed"/> is true for a valid
    /// member's Create in its own group's namespace.
    /// </summary>
    public static string? Check(DhtRecord record, long nowUnixMs, out bool displacesUncredentialed)
    {
        ArgumentNullException.ThrowIfNull(record);
        displacesUncredentialed = false;
        if (record.Credential is null || !Split(record.Key, out string? ipopNamespace, out string? hostName))
        {
            return null;    // other keys carry credentials as opaque bytes
        }
        MemberCredential? credential = MemberCredential.TryDecode(record.Credential, out string? reason);
        if (credential is null)
        {
            return reason;
        }
        reason = credential.Check(record.Writer, record.SigningKey, DateTimeOffset.FromUnixTimeMilliseconds(nowUnixMs));
        if (reason is not null)
        {
            return reason;
        }
        if (hostName is not null && !CertificateNames.AreEqual(hostName, credential.Member.HostName))
        {
            return $"the credential is for host {credential.Member.HostName}, not {hostName}";
        }
        displacesUncredentialed = record.Kind == DhtRecordKind.Create && CertificateNames.AreEqual(credential.GroupName, ipopNamespace!);
        return null;
    }

    /// <summary>Splits a lease key: its namespace, and for a host-name key the host name (null for an address key).</summary>
    private static bool Split(ReadOnlySpan<byte> key, out string? ipopNamespace, out string? hostName)
    {
        ipopNamespace = null;
        hostName = null;
        bool isHostName = key.StartsWith(HostNamePrefix);
        if (!isHostName && !key.StartsWith(AddressPrefix))
        {
            return false;
        }
        ReadOnlySpan<byte> rest = key[(isHostName ? HostNamePrefix.Length : AddressPrefix.Length)..];
        int colon = rest.LastIndexOf((byte)':');
        if (colon <= 0 || colon == rest.Length - 1)
        {
            return false;
        }
        ipopNamespace = Encoding.UTF8.GetString(rest[..colon]);
        hostName = isHostName ? Encoding.UTF8.GetString(rest[(colon + 1)..]) : null;
        return true;
    }
}
