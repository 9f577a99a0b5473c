using System.Text;
using Brunet.Dht;

namespace Ipop.Dht.Leases;

/// <summary>The lease store over the node's DHT: values are UTF-8 text, as bget and bput show them.</summary>
internal sealed class DhtLeaseStore(DhtNode dht) : ILeaseStore
{
    public async Task<LeaseCreateResult> CreateAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        DhtPutResult result = await dht.CreateAsync(key, Encoding.UTF8.GetBytes(value), ttl, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            DhtPutStatus.Ok => LeaseCreateResult.Ok,
            DhtPutStatus.HeldByAnother => new LeaseCreateResult(LeaseCreateStatus.HeldByAnother,
                result.Holder is { } holder ? Encoding.UTF8.GetString(holder.Value) : null),
            _ => new LeaseCreateResult(LeaseCreateStatus.Failed, null, result.Reason),
        };
    }

    public async Task<IReadOnlyList<LeaseValue>> GetAsync(string key, CancellationToken cancellationToken)
    {
        IReadOnlyList<DhtValue> values = await dht.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return values.Select(v => new LeaseValue(Encoding.UTF8.GetString(v.Value), v.Writer, v.Remaining, v.IsCreate)).ToList();
    }

    public async Task RemoveAsync(string key, string value, CancellationToken cancellationToken) =>
        await dht.RemoveAsync(key, Encoding.UTF8.GetBytes(value), cancellationToken).ConfigureAwait(false);
}
