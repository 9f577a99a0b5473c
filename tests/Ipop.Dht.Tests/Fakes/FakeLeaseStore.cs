using Brunet.Addressing;
using Ipop.Dht.Leases;

namespace Ipop.Dht.Tests.Fakes;

/// <summary>An in-memory DHT for leases: Create refuses a key another writer holds; the writer is the value's node address.</summary>
internal sealed class FakeLeaseStore(TimeProvider time) : ILeaseStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Value, Address Writer, long Expires, bool IsCreate)> _records = new(StringComparer.Ordinal);

    public int Creates { get; private set; }

    public int Gets { get; private set; }

    /// <summary>Creates that fail (as when too few replica points answer) before the store works again.</summary>
    public int FailCreates { get; set; }

    public Task<LeaseCreateResult> CreateAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Creates++;
            if (FailCreates > 0)
            {
                FailCreates--;
                return Task.FromResult(new LeaseCreateResult(LeaseCreateStatus.Failed, null, "fake failure"));
            }
            if (Live(key) is { } held && held.Value != value)
            {
                return Task.FromResult(new LeaseCreateResult(LeaseCreateStatus.HeldByAnother, held.Value,
                    HolderRecord: new LeaseValue(held.Value, held.Writer, time.GetElapsedTime(time.GetTimestamp(), held.Expires), held.IsCreate)));
            }
            // A lease's value names its writer; other values (a host name's IP) are written by an anonymous node here.
            Address writer = Address.TryParse(value, out Address named) ? named : default;
            _records[key] = (value, writer, time.GetTimestamp() + Ticks(ttl), true);
            return Task.FromResult(LeaseCreateResult.Ok);
        }
    }

    public Task<IReadOnlyList<LeaseValue>> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Gets++;
            IReadOnlyList<LeaseValue> values = Live(key) is { } record
                ? [new LeaseValue(record.Value, record.Writer, time.GetElapsedTime(time.GetTimestamp(), record.Expires), record.IsCreate)]
                : [];
            return Task.FromResult(values);
        }
    }

    public Task RemoveAsync(string key, string value, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Live(key) is { } held && held.Value == value)
            {
                _records.Remove(key);
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>Stores a record as if <paramref name="writer"/> wrote <paramref name="value"/> (a forged or foreign record).</summary>
    public void Plant(string key, string value, Address writer, TimeSpan ttl, bool isCreate = true)
    {
        lock (_gate)
        {
            _records[key] = (value, writer, time.GetTimestamp() + Ticks(ttl), isCreate);
        }
    }

    public string? ValueOf(string key)
    {
        lock (_gate)
        {
            return Live(key)?.Value;
        }
    }

    private (string Value, Address Writer, long Expires, bool IsCreate)? Live(string key) =>
        _records.TryGetValue(key, out var record) && record.Expires > time.GetTimestamp() ? record : null;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
