using System.Net;

namespace Ipop.Dhcp.Leases;

/// <summary>The last lease this host held: asked for first after a restart, so the host keeps its address.</summary>
/// <param name="Namespace">The IPOP namespace of the lease; a record from another namespace is not reused.</param>
/// <param name="Address">The leased virtual address.</param>
/// <param name="Expires">When the DHT record of the lease runs out unless renewed.</param>
public sealed record LeaseRecord(string Namespace, IPAddress Address, DateTimeOffset Expires)
{
    /// <summary>Whether this record may be asked for again in <paramref name="ipopNamespace"/> with <paramref name="pool"/>.</summary>
    public bool IsUsableFor(string ipopNamespace, AddressPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return string.Equals(Namespace, ipopNamespace, StringComparison.Ordinal) && pool.IsLeasable(Address);
    }
}
