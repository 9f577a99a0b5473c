namespace Ipop.Dhcp.Wire;

/// <summary>
/// A DHCP message that cannot be parsed: too short, a length that runs past the end, a bad magic cookie, an option
/// with the wrong size for its type, or a feature we refuse (option overload). The only exception
/// <see cref="DhcpMessage.Parse"/> throws for bad input; the caller drops the datagram.
/// </summary>
public sealed class DhcpFormatException : Exception
{
    public DhcpFormatException(string message)
        : base(message)
    {
    }

    public DhcpFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DhcpFormatException()
        : base("Malformed DHCP message.")
    {
    }
}
