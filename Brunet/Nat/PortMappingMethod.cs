namespace Brunet.Nat;

/// <summary>The protocol a gateway granted a port mapping through.</summary>
public enum PortMappingMethod
{
    Pcp,
    NatPmp,
    Upnp,
}
