namespace Brunet.Nat;

/// <summary>How our NAT maps one local UDP port to outside ports (RFC 4787 §4.1), as far as reflections tell.</summary>
public enum NatMapping
{
    /// <summary>Fewer than two peers on one outside address have reported a reflection yet.</summary>
    Unknown,

    /// <summary>Every peer sees the same outside port: the observed address is worth advertising (cone NATs, no NAT).</summary>
    EndpointIndependent,

    /// <summary>Peers see different outside ports (a symmetric NAT): an observed address works only for its reporter.</summary>
    PortDependent,
}
