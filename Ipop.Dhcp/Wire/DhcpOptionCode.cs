namespace Ipop.Dhcp.Wire;

/// <summary>The option codes this codec knows by type (RFC 2132). Any other code is kept as raw bytes.</summary>
public static class DhcpOptionCode
{
    /// <summary>One byte of padding, no length (RFC 2132 §3.1).</summary>
    public const byte Pad = 0;
    public const byte SubnetMask = 1;
    public const byte Router = 3;
    public const byte DomainNameServer = 6;
    public const byte HostName = 12;
    public const byte DomainName = 15;
    public const byte InterfaceMtu = 26;
    public const byte RequestedIPAddress = 50;
    public const byte LeaseTime = 51;
    /// <summary>Refused by this codec: the replies we build never need sname/file for options.</summary>
    public const byte OptionOverload = 52;
    public const byte MessageType = 53;
    public const byte ServerIdentifier = 54;
    public const byte ParameterRequestList = 55;
    public const byte MaxMessageSize = 57;
    public const byte RenewalTime = 58;
    public const byte RebindingTime = 59;
    public const byte ClientIdentifier = 61;
    /// <summary>The end of the options, no length (RFC 2132 §3.2).</summary>
    public const byte End = 255;
}
