using System.Net;

namespace Brunet.Nat;

/// <summary>A mapping a gateway granted: <see cref="External"/> reaches <see cref="InternalClient"/>:<see cref="InternalPort"/>.</summary>
public sealed record PortMapping(
    PortMappingMethod Method, MappingProtocol Protocol, IPEndPoint External, IPAddress InternalClient, ushort InternalPort, TimeSpan Lifetime);
