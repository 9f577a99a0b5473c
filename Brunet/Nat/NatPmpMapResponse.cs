namespace Brunet.Nat;

/// <summary>A NAT-PMP mapping response (RFC 6886 §3.3). Lifetime in seconds.</summary>
public readonly record struct NatPmpMapResponse(
    NatPmpResultCode Result, uint EpochSeconds, ushort InternalPort, ushort ExternalPort, uint LifetimeSeconds);
