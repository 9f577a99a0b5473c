namespace Brunet.Nat;

/// <summary>A gateway's WANIPConnection or WANPPPConnection service: where to send its SOAP actions.</summary>
public sealed record UpnpService(string ServiceType, Uri ControlUrl);
