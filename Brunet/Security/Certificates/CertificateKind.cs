namespace Brunet.Security.Certificates;

/// <summary>The second byte of every group certificate's binary form; signed, so one kind never passes for another.</summary>
public enum CertificateKind : byte
{
    Authority = 1,
    Member = 2,
    RevocationList = 3,
}
