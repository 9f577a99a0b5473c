using System.Text;
using Brunet.Dht;

namespace Ipop.Dht.Leases;

/// <summary>
/// The lease store over the node's DHT: values are UTF-8 text, as bget and bput show them. Creates of lease keys
/// (<c>dhcp:&lt;ns&gt;:&lt;ip&gt;</c>, and host names <c>dns:&lt;ns&gt;:&lt;host&gt;</c>) carry <paramref name="credential"/>, this member's
/// <see cref="Brunet.Security.Certificates.MemberCredential"/> (null in an open VPN), so every holder lets them displace
/// records of nodes outside the group (<see cref="LeaseRecordRule"/>).
/// </summary>
internal sealed class DhtLeaseStore(DhtNode dht, byte[]? credential = null) : ILeaseStore
{
    public async Task<LeaseCreateResult> CreateAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        byte[]? attached = LeaseRecordRule.NamespaceOf(keyBytes) is null ? null : credential;
        DhtPutResult result = await dht.CreateAsync(keyBytes, Encoding.UTF8.GetBytes(value), ttl, attached, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            DhtPutStatus.Ok => LeaseCreateResult.Ok,
            DhtPutStatus.HeldByAnother => new LeaseCreateResult(LeaseCreateStatus.HeldByAnother,
                result.Holder is { } holder ? Encoding.UTF8.GetString(holder.Value) : null,
                HolderRecord: result.Holder is { } record ? ToLeaseValue(record) : null),
            _ => new LeaseCreateResult(LeaseCreateStatus.Failed, null, result.Reason),
        };
    }

    public async Task<IReadOnlyList<LeaseValue>> GetAsync(string key, CancellationToken cancellationToken)
    {
        IReadOnlyList<DhtValue> values = await dht.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return values.Select(ToLeaseValue).ToList();
    }

    public async Task RemoveAsync(string key, string value, CancellationToken cancellationToken) =>
        await dht.RemoveAsync(key, Encoding.UTF8.GetBytes(value), cancellationToken).ConfigureAwait(false);

    private static LeaseValue ToLeaseValue(DhtValue v) =>
        new(Encoding.UTF8.GetString(v.Value), v.Writer, v.Remaining, v.IsCreate, v.WriterSigningKey, v.Credential);
}
