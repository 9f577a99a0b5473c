namespace Ipop.Dht.Leases;

/// <summary>
/// The DHT as the lease code needs it: Create, Get and Remove of text values (a lease's value is its holder's node
/// address). <see cref="DhtLeaseStore"/> is the real one; tests use an in-memory one.
/// </summary>
internal interface ILeaseStore
{
    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> unless another value holds it; this writer may renew.</summary>
    Task<LeaseCreateResult> CreateAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The live values under <paramref name="key"/>; empty when there are none.</summary>
    Task<IReadOnlyList<LeaseValue>> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Withdraws this writer's <paramref name="value"/> under <paramref name="key"/>.</summary>
    Task RemoveAsync(string key, string value, CancellationToken cancellationToken);
}
