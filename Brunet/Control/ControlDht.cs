using System.Text;
using Brunet.Dht;

namespace Brunet.Control;

/// <summary>The control endpoint's view of a DHT: text keys and values, TTL in seconds.</summary>
public sealed class ControlDht(DhtNode dht) : IControlDht
{
    public int RecordCount => dht.RecordCount;

    public void WriteMetrics(StringBuilder text)
    {
        ControlEndpoint.Counter(text, "brunet_dht_operations_total", "DHT operations started here (get, put, create, remove).", dht.Operations);
        ControlEndpoint.Counter(text, "brunet_dht_stores_served_total", "DHT store requests served.", dht.StoresServed);
        ControlEndpoint.Counter(text, "brunet_dht_queries_served_total", "DHT queries served.", dht.QueriesServed);
        ControlEndpoint.Counter(text, "brunet_dht_refused_total", "DHT records refused (forged, replayed, over quota, conflicting).", dht.Refused);
        ControlEndpoint.Counter(text, "brunet_dht_malformed_total", "Malformed DHT messages dropped.", dht.Malformed);
        ControlEndpoint.Gauge(text, "brunet_dht_records", "DHT records held.", dht.RecordCount);
    }

    public async Task<IReadOnlyList<DhtValueJson>> GetAsync(string key)
    {
        IReadOnlyList<DhtValue> values = await dht.GetAsync(key).ConfigureAwait(false);
        return values.Select(v => new DhtValueJson(Encoding.UTF8.GetString(v.Value), Math.Round(v.Remaining.TotalSeconds, 1), v.Writer.ToString())).ToList();
    }

    public async Task<DhtPutJson> PutAsync(string key, string value, TimeSpan ttl, bool create)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        DhtPutResult result = create
            ? await dht.CreateAsync(key, bytes, ttl).ConfigureAwait(false)
            : await dht.PutAsync(key, bytes, ttl).ConfigureAwait(false);
        return result.Status switch
        {
            DhtPutStatus.Ok => new DhtPutJson(true, null, null),
            DhtPutStatus.HeldByAnother => new DhtPutJson(false, "another value holds the key",
                result.Holder is { } holder ? [Encoding.UTF8.GetString(holder.Value)] : []),
            _ => new DhtPutJson(false, result.Reason ?? "failed", null),
        };
    }
}
