using Ipop.Dht.Leases;

namespace Ipop.Dht.Tests.Fakes;

/// <summary>A DHT that never answers (an overlay cut off from the ring).</summary>
internal sealed class StallingLeaseStore : ILeaseStore
{
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<LeaseCreateResult> CreateAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await _never.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return LeaseCreateResult.Ok;
    }

    public async Task<IReadOnlyList<LeaseValue>> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _never.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return [];
    }

    public Task RemoveAsync(string key, string value, CancellationToken cancellationToken) => _never.Task.WaitAsync(cancellationToken);
}
