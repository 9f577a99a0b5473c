namespace Ipop.Dht.Tap;

/// <summary>
/// The TAP device cannot be opened or used: not root (CAP_NET_ADMIN), no /dev/net/tun, the name is taken, or a
/// system call failed. <see cref="Exception.Message"/> is one line naming the device and what to do.
/// </summary>
public sealed class TapException : Exception
{
    public TapException(string message)
        : base(message)
    {
    }

    public TapException(string message, int errno)
        : base(message)
    {
        Errno = errno;
    }

    public TapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TapException()
        : base("TAP device error.")
    {
    }

    /// <summary>The Linux errno behind the failure, or 0.</summary>
    public int Errno { get; }
}
