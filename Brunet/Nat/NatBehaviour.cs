using System.Net;
using Brunet.Addressing;

namespace Brunet.Nat;

/// <summary>
/// Infers our NAT's mapping behaviour from reflections: each handshake's peer tells us the UDP address it sees us at.
/// Two peers that see the same outside IP with different ports for our one local port mean a port-dependent
/// (symmetric) mapping, and then an observed address is useless to anyone but the peer that reported it.
/// Owned by the node's loop; not thread-safe.
/// </summary>
public sealed class NatBehaviour
{
    /// <summary>Reflections kept: the most recent one per reporter, at most this many reporters.</summary>
    public const int HistorySize = 8;

    private readonly List<(Address Reporter, IPEndPoint Observed)> _history = [];

    /// <summary>The outside end point the most recent reflection showed, or null before any.</summary>
    public IPEndPoint? Latest => _history.Count > 0 ? _history[0].Observed : null;

    /// <summary>The mapping the current history shows.</summary>
    public NatMapping Mapping { get; private set; } = NatMapping.Unknown;

    /// <summary>Records that <paramref name="reporter"/> sees us at <paramref name="observed"/>; returns the new <see cref="Mapping"/>.</summary>
    public NatMapping Note(Address reporter, IPEndPoint observed)
    {
        _history.RemoveAll(h => h.Reporter == reporter);
        _history.Insert(0, (reporter, observed));
        if (_history.Count > HistorySize)
        {
            _history.RemoveAt(_history.Count - 1);
        }
        Mapping = Infer(_history.Select(h => h.Observed));
        return Mapping;
    }

    /// <summary>
    /// The mapping shown by reflections from distinct peers of one local port. Reflections with different outside IPs
    /// say nothing about each other (a LAN peer sees our private address; a multi-homed NAT has several), so ports are
    /// compared per outside IP: any IP seen with two ports is port-dependent; an IP seen twice with one port, and no
    /// conflict anywhere, is endpoint-independent.
    /// </summary>
    public static NatMapping Infer(IEnumerable<IPEndPoint> reflections)
    {
        var portsByIp = new Dictionary<IPAddress, (int Port, int Count, bool Conflict)>();
        foreach (IPEndPoint reflection in reflections)
        {
            if (portsByIp.TryGetValue(reflection.Address, out var seen))
            {
                portsByIp[reflection.Address] = (seen.Port, seen.Count + 1, seen.Conflict || seen.Port != reflection.Port);
            }
            else
            {
                portsByIp[reflection.Address] = (reflection.Port, 1, false);
            }
        }
        if (portsByIp.Values.Any(v => v.Conflict))
        {
            return NatMapping.PortDependent;
        }
        return portsByIp.Values.Any(v => v.Count >= 2) ? NatMapping.EndpointIndependent : NatMapping.Unknown;
    }
}
