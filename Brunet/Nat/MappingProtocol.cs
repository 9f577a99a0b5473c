namespace Brunet.Nat;

/// <summary>The transport protocol of a port mapping.</summary>
public enum MappingProtocol
{
    Udp,
    Tcp,
}
