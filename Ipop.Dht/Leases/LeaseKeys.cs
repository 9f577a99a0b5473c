using System.Net;

namespace Ipop.Dht.Leases;

/// <summary>DHT keys of leases (CONTRACT.md): <c>dhcp:&lt;IpopNamespace&gt;:&lt;dotted IPv4&gt;</c>.</summary>
internal static class LeaseKeys
{
    public static string For(string ipopNamespace, IPAddress address) => $"dhcp:{ipopNamespace}:{address}";
}
