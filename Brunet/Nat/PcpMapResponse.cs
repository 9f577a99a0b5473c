using System.Net;

namespace Brunet.Nat;

/// <summary>A PCP MAP response (RFC 6887 §7.2, §11.1). Lifetime and epoch in seconds.</summary>
public readonly record struct PcpMapResponse(
    PcpResultCode Result, uint LifetimeSeconds, uint EpochSeconds, byte[] Nonce, byte Protocol,
    ushort InternalPort, ushort ExternalPort, IPAddress ExternalAddress);
