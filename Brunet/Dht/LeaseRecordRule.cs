using System.Text;
using Brunet.Security.Certificates;

namespace Brunet.Dht;

/// <summary>
/// What every holder enforces on GroupVPN lease keys, <c>dhcp:&lt;namespace&gt;:&lt;ip&gt;</c>, whether or not it
/// belongs to a group (bootstrap nodes know none):
/// <list type="bullet">
/// <item>a record that carries a credential must carry a valid <see cref="MemberCredential"/> of its writer (signature
/// chain up to a self-signed authority, within its validity, the certificate's node address and signing key are the
/// record's); otherwise it is refused with <see cref="DhtStoreStatus.BadCredential"/>;</item>
/// <item>a Create with a valid credential whose group name is the key's namespace displaces other writers' records
/// that carry no credential, so a node outside the group cannot squat on the group's addresses;</item>
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
    private static ReadOnlySpan<byte> KeyPrefix => "dhcp:"u8;

    /// <summary>The namespace of a lease key (<c>dhcp:&lt;ns&gt;:&lt;ip&gt;</c>), or null when the key is not one.</summary>
    public static string? NamespaceOf(ReadOnlySpan<byte> key)
    {
        if (!key.StartsWith(KeyPrefix))
        {
            return null;
        }
        ReadOnlySpan<byte> rest = key[KeyPrefix.Length..];
        int colon = rest.LastIndexOf((byte)':');
        return colon <= 0 || colon == rest.Length - 1 ? null : Encoding.UTF8.GetString(rest[..colon]);
    }

    /// <summary>
    /// Null when <paramref name="record"/> may be stored as far as this rule goes; else why not (the store answers
    /// <see cref="DhtStoreStatus.BadCredential"/>). <paramref name="displacesUncredentialed"/> is true for a valid
    /// member's Create in its own group's namespace.
    /// </summary>
    public static string? Check(DhtRecord record, long nowUnixMs, out bool displacesUncredentialed)
    {
        ArgumentNullException.ThrowIfNull(record);
        displacesUncredentialed = false;
        if (record.Credential is null)
        {
            return null;
        }
        string? ipopNamespace = NamespaceOf(record.Key);
        if (ipopNamespace is null)
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
        displacesUncredentialed = record.Kind == DhtRecordKind.Create && CertificateNames.AreEqual(credential.GroupName, ipopNamespace);
        return null;
    }
}
