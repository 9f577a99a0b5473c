using Brunet.Addressing;
using Brunet.Nat;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>NAT behaviour: what reflections say about our NAT, and addresses a port mapping gave us.</summary>
public sealed partial class OverlayNode
{
    private readonly NatBehaviour _nat = new();
    private readonly List<TransportAddress> _mapped = [];

    /// <summary>Our NAT's mapping behaviour as inferred from peers' reflections so far. Read on the loop.</summary>
    public NatMapping NatMapping => _nat.Mapping;

    /// <summary>
    /// Advertises <paramref name="address"/> first among our transport addresses: an external address a port mapping
    /// (PCP, NAT-PMP, UPnP) forwards to one of our listeners. Any thread.
    /// </summary>
    public void AddAdvertisedAddress(TransportAddress address) => Loop.Post(() =>
    {
        if (_mapped.Contains(address))
        {
            return;
        }
        _mapped.Add(address);
        TransportAddresses = [address, .. TransportAddresses.Where(a => a != address)];
    });

    /// <summary>Stops advertising an address given to <see cref="AddAdvertisedAddress"/> (the mapping is gone). Any thread.</summary>
    public void RemoveAdvertisedAddress(TransportAddress address) => Loop.Post(() =>
    {
        if (_mapped.Remove(address))
        {
            TransportAddresses = [.. TransportAddresses.Where(a => a != address)];
        }
    });

    /// <summary>
    /// Feeds a reflection to the NAT inference before the caller advertises it. Under a port-dependent (symmetric)
    /// mapping each reflection's port works only for the peer that reported it, and every dead address costs a dialer
    /// a link-attempt timeout; yet its IP still matters: an address-restricted peer that sends to it opens its filter
    /// for our packets from any port. So the earlier reflections are withdrawn and only the latest is kept.
    /// </summary>
    private bool NoteReflection(Address reporter, TransportAddress observed)
    {
        if (_nat.Note(reporter, observed.EndPoint!) == NatMapping.PortDependent && _observed.Count > 0)
        {
            TransportAddresses = [.. TransportAddresses.Where(a => !_observed.Contains(a))];
            _observed.Clear();
        }
        return true;
    }
}
