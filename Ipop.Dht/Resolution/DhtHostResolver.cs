using System.Net;
using System.Net.Sockets;
using Ipop.Dht.Dns;
using Ipop.Dht.Leases;
using Ipop.Dht.Security;

namespace Ipop.Dht.Resolution;

/// <summary>
/// <c>&lt;hostname&gt;.ipop</c> through the DHT: the key <c>dns:&lt;IpopNamespace&gt;:&lt;hostname&gt;</c> (lower case) holds
/// the host's virtual IP, created by the host with its lease (<see cref="HostNamePublisher"/>), so the first host to
/// claim a name keeps it while it renews. In a private group only a member's record for its own certificate's host
/// name counts (<see cref="IGroupPolicy.CheckLeaseRecord"/>); <paramref name="policy"/> null is the open policy.
/// </summary>
internal sealed class DhtHostResolver(ILeaseStore store, string ipopNamespace, IGroupPolicy? policy = null) : IHostResolver
{
    private readonly IGroupPolicy _policy = policy ?? OpenGroupPolicy.Instance;

    public static string KeyFor(string ipopNamespace, string hostName) => $"dns:{ipopNamespace}:{hostName.ToLowerInvariant()}";

    public async Task<IPAddress?> ResolveAsync(string hostName, CancellationToken ct)
    {
        IReadOnlyList<LeaseValue> values = await store.GetAsync(KeyFor(ipopNamespace, hostName), ct).ConfigureAwait(false);
        // The DHT returns only the Create holder's value for a created key; take the freshest valid IPv4 address.
        foreach (LeaseValue value in values.OrderByDescending(v => v.IsCreate).ThenByDescending(v => v.Remaining))
        {
            if (IPAddress.TryParse(value.Value, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetwork
                && _policy.CheckLeaseRecord(value.Writer, value.SigningKey, value.Credential, hostName) is null)
            {
                return address;
            }
        }
        return null;
    }
}
