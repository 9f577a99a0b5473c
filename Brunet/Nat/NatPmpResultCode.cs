namespace Brunet.Nat;

/// <summary>NAT-PMP result codes (RFC 6886 §3.5).</summary>
public enum NatPmpResultCode : ushort
{
    Success = 0,
    UnsupportedVersion = 1,
    NotAuthorized = 2,
    NetworkFailure = 3,
    OutOfResources = 4,
    UnsupportedOpcode = 5,
}
