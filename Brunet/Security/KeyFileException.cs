namespace Brunet.Security;

/// <summary>A node key file that cannot be used: missing, malformed, truncated or readable by others.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException(string path, string reason)
        : base($"Key file '{path}': {reason}")
    {
        Path = path;
        Reason = reason;
    }

    public KeyFileException(string path, string reason, Exception innerException)
        : base($"Key file '{path}': {reason}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }

    public string Reason { get; }
}
