namespace Brunet.Security.Certificates;

/// <summary>A certificate or authority key file that cannot be used; <see cref="Exception.Message"/> names the file and the reason.</summary>
public sealed class CertificateException : Exception
{
    public CertificateException(string path, string reason, Exception? innerException = null)
        : base($"{path}: {reason}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }

    public string Reason { get; }
}
