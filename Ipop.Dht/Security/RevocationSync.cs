using Brunet.Dht;
using Microsoft.Extensions.Logging;

namespace Ipop.Dht.Security;

/// <summary>Where the group's revocation list lives: the DHT in the node, a dictionary in tests.</summary>
internal interface IRevocationStore
{
    Task<IReadOnlyList<byte[]>> GetAsync(string key, CancellationToken cancellationToken);

    Task PutAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken);
}

/// <summary>The DHT as a revocation store.</summary>
internal sealed class DhtRevocationStore(DhtNode dht) : IRevocationStore
{
    public async Task<IReadOnlyList<byte[]>> GetAsync(string key, CancellationToken cancellationToken) =>
        [.. (await dht.GetAsync(key, cancellationToken).ConfigureAwait(false)).Select(v => v.Value)];

    public Task PutAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken) =>
        dht.PutAsync(key, value, ttl, cancellationToken);
}

/// <summary>
/// Replicates the group's revocation list through the DHT (<c>groupvpn:&lt;group&gt;:crl</c>): every member reads the
/// lists stored there, keeps the newest one its authority signed, and puts that one back, so the list outlives whoever
/// published it. Revoked members' packets are refused from the next check on.
/// </summary>
internal sealed class RevocationSync(IRevocationStore store, GroupMembership membership, TimeProvider time, ILogger logger)
{
    /// <summary>How often the list is read and re-published.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Lifetime of a re-published list; members renew it each <see cref="Interval"/>.</summary>
    public TimeSpan ListTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Raised when a newer list was applied.</summary>
    public event Action? Changed;

    /// <summary>One pass: read, apply, re-publish. True when a newer list was applied.</summary>
    public async Task<bool> SyncOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<byte[]> values = await store.GetAsync(membership.RevocationKey, cancellationToken).ConfigureAwait(false);
        bool changed = membership.ApplyRevocationValues(values.Select(v => (ReadOnlyMemory<byte>)v));
        if (changed)
        {
            SecurityLog.RevocationListApplied(logger, membership.RevocationKey);
            if (membership.IsLocalRevoked)
            {
                SecurityLog.LocalCertificateRevoked(logger, membership.GroupName ?? "");
            }
            Changed?.Invoke();
        }
        if (membership.CurrentRevocationList is { } list)
        {
            await store.PutAsync(membership.RevocationKey, list, ListTtl, cancellationToken).ConfigureAwait(false);
        }
        return changed;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await SyncOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                SecurityLog.RevocationSyncFailed(logger, e.Message);
            }
            await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
