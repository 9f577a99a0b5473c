using System.Collections.Concurrent;
using Brunet.Addressing;
using Ipop.Dhcp.Leases;
using Ipop.Dht.Leases;
using Ipop.Dht.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipop.Dht.Resolution;

/// <summary>
/// Virtual IP -> node address through the DHT (<c>Get dhcp:&lt;ns&gt;:&lt;ip&gt;</c>), cached: an answer for
/// <see cref="PositiveTtl"/> (or the lease's remaining time if shorter), "no lease" for <see cref="NegativeTtl"/>.
/// Lookups never block the caller: <see cref="TryGetCached"/> answers from the cache, <see cref="Lookup"/> starts one
/// DHT Get per address at a time, and <see cref="Resolved"/> reports it. Any thread.
/// </summary>
/// <remarks>
/// Only a Create record whose value is its own writer's address counts: a node leases addresses for itself, so a
/// record naming someone else (which anyone could Put) never maps an address. In a private group the record must also
/// carry a valid member credential of the group (<see cref="IGroupPolicy.CheckLeaseRecord"/>): an address an outsider
/// claims maps to nobody, so a member never sends there.
/// </remarks>
internal sealed class LeaseResolver
{
    public static readonly TimeSpan PositiveTtl = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan NegativeTtl = TimeSpan.FromSeconds(2);

    private readonly ILeaseStore _store;
    private readonly string _namespace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IGroupPolicy _policy;
    private readonly ConcurrentDictionary<uint, CacheEntry> _cache = new();
    private readonly ConcurrentDictionary<uint, byte> _pending = new();

    /// <param name="policy">Whose lease records count; null: the open policy (any writer's).</param>
    public LeaseResolver(ILeaseStore store, string ipopNamespace, TimeProvider time, ILogger? logger = null, IGroupPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _policy = policy ?? OpenGroupPolicy.Instance;
        _namespace = ipopNamespace;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised on a thread-pool thread when a lookup finishes: the address and its holder (null: none).</summary>
    public event Action<uint, Address?>? Resolved;

    /// <summary>DHT lookups made (cache misses).</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    private long _lookups;

    /// <summary>True when the cache has a live answer for <paramref name="ip"/>; <paramref name="node"/> is null for "no lease".</summary>
    public bool TryGetCached(uint ip, out Address? node)
    {
        if (_cache.TryGetValue(ip, out CacheEntry? entry) && _time.GetTimestamp() < entry.ExpiresAt)
        {
            node = entry.Node;
            return true;
        }
        node = null;
        return false;
    }

    /// <summary>Starts a DHT lookup of <paramref name="ip"/> unless one is running; the answer goes to the cache and <see cref="Resolved"/>.</summary>
    public void Lookup(uint ip)
    {
        if (_pending.TryAdd(ip, 0))
        {
            _ = LookupAsync(ip);
        }
    }

    /// <summary>The holder of <paramref name="ip"/>, from the cache or the DHT.</summary>
    public async Task<Address?> ResolveAsync(uint ip, CancellationToken cancellationToken = default)
    {
        if (TryGetCached(ip, out Address? cached))
        {
            return cached;
        }
        return await FetchAsync(ip, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets what the cache knows of <paramref name="ip"/>.</summary>
    public void Invalidate(uint ip) => _cache.TryRemove(ip, out _);

    private async Task LookupAsync(uint ip)
    {
        Address? node = null;
        try
        {
            await Task.Yield();     // never run the DHT call on the data path's thread
            node = await FetchAsync(ip, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed lookup is an unknown address for a moment, like "no lease"; the next packet asks again.
            ResolutionLog.LookupFailed(_logger, Ipv4Math.ToAddress(ip).ToString(), e);
            _cache[ip] = new CacheEntry(null, _time.GetTimestamp() + ToTicks(NegativeTtl));
        }
        finally
        {
            _pending.TryRemove(ip, out _);
        }
        Resolved?.Invoke(ip, node);
    }

    private async Task<Address?> FetchAsync(uint ip, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        string key = LeaseKeys.For(_namespace, Ipv4Math.ToAddress(ip));
        IReadOnlyList<LeaseValue> values = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        Address? best = null;
        TimeSpan remaining = TimeSpan.Zero;
        foreach (LeaseValue value in values)
        {
            if (value.IsCreate && Address.TryParse(value.Value, out Address holder) && holder == value.Writer && value.Remaining > remaining
                && IsMember(ip, value))
            {
                best = holder;
                remaining = value.Remaining;
            }
        }
        TimeSpan ttl = best is null ? NegativeTtl : (remaining < PositiveTtl ? remaining : PositiveTtl);
        _cache[ip] = new CacheEntry(best, _time.GetTimestamp() + ToTicks(ttl));
        if (best is { } found)
        {
            ResolutionLog.Resolved(_logger, Ipv4Math.ToAddress(ip).ToString(), found.ToString());
        }
        else
        {
            ResolutionLog.NotLeased(_logger, Ipv4Math.ToAddress(ip).ToString());
        }
        return best;
    }

    private bool IsMember(uint ip, LeaseValue value)
    {
        string? reason = _policy.CheckLeaseRecord(value.Writer, value.SigningKey, value.Credential);
        if (reason is null)
        {
            return true;
        }
        ResolutionLog.NonMemberLease(_logger, Ipv4Math.ToAddress(ip).ToString(), reason);
        return false;
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed record CacheEntry(Address? Node, long ExpiresAt);
}
