using System.Net;

namespace Ipop.Dht.Dns;

/// <summary>
/// Finds the virtual IPv4 address of a host of the VPN by its host name (the label before <c>.ipop</c>).
/// </summary>
/// <remarks>
/// The node implements it with the DHT: key <c>dns:&lt;IpopNamespace&gt;:&lt;hostname&gt;</c> (host name in lower
/// case, as <see cref="DnsResponder"/> passes it), value the dotted IPv4 address as ASCII (e.g. <c>10.254.0.7</c>),
/// put by each host with its lease and renewed with it (same TTL). With several values, the freshest wins; in a
/// private group, only a value whose writer holds a valid certificate for that host name counts.
/// </remarks>
public interface IHostResolver
{
    /// <summary>The host's address, or null when no such host is known.</summary>
    Task<IPAddress?> ResolveAsync(string hostName, CancellationToken ct);
}
