using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Linking.Tunnel;

/// <summary>
/// <c>brunet.tunnel://TARGET/FWD1+FWD2</c>: a relay edge to TARGET through one of the forwarders (each a node address
/// in base32, without the <c>brunet:node:</c> prefix).
/// </summary>
public static class TunnelAddress
{
    public const int MaxForwarders = 4;

    public static TransportAddress Format(Address target, IEnumerable<Address> forwarders) =>
        TransportAddress.Tunnel(Strip(target) + "/" + string.Join('+', forwarders.Take(MaxForwarders).Select(Strip)));

    public static bool TryParse(TransportAddress address, out Address target, out List<Address> forwarders)
    {
        target = default;
        forwarders = [];
        if (address.Kind != TransportKind.Tunnel)
        {
            return false;
        }
        string[] parts = address.Authority.Split('/');
        if (parts.Length != 2 || !Address.TryParse(Address.TextPrefix + parts[0], out target))
        {
            return false;
        }
        foreach (string forwarder in parts[1].Split('+', StringSplitOptions.RemoveEmptyEntries).Take(MaxForwarders))
        {
            if (!Address.TryParse(Address.TextPrefix + forwarder, out Address parsed))
            {
                return false;
            }
            forwarders.Add(parsed);
        }
        return forwarders.Count > 0;
    }

    private static string Strip(Address address) => address.ToString()[Address.TextPrefix.Length..];
}
