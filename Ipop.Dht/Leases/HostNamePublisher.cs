using System.Net;
using Ipop.Dht.Resolution;
using Microsoft.Extensions.Logging;

namespace Ipop.Dht.Leases;

/// <summary>
/// Keeps <c>dns:&lt;IpopNamespace&gt;:&lt;hostname&gt;</c> pointing at this host's virtual IP while it holds a lease:
/// created with the lease's time to live and renewed at half of it, so a name outlives its host by at most one lease.
/// </summary>
internal sealed class HostNamePublisher(ILeaseStore store, string ipopNamespace, string hostName, TimeSpan ttl, TimeProvider time, ILogger logger)
{
    private IPAddress? _address;

    public string Key { get; } = DhtHostResolver.KeyFor(ipopNamespace, hostName);

    /// <summary>The lease changed (null: lost); publish at once.</summary>
    public void OnLeaseChanged(IPAddress? address) => Volatile.Write(ref _address, address);

    /// <summary>Publishes whenever there is an address, renewing at half the time to live, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        IPAddress? published = null;
        long publishedAt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            IPAddress? address = Volatile.Read(ref _address);
            if (address is not null && (!address.Equals(published) || time.GetElapsedTime(publishedAt) >= ttl / 2))
            {
                LeaseCreateResult result = await store.CreateAsync(Key, address.ToString(), ttl, cancellationToken).ConfigureAwait(false);
                if (result.Status == LeaseCreateStatus.Ok)
                {
                    published = address;
                    publishedAt = time.GetTimestamp();
                }
                else
                {
                    LeaseLog.HostNameTaken(logger, Key, result.Holder ?? result.Reason ?? result.Status.ToString());
                    published = address;   // retry at the renewal time, not in a tight loop
                    publishedAt = time.GetTimestamp();
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
        }
    }

}
