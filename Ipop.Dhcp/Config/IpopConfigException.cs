namespace Ipop.Dhcp.Config;

/// <summary>
/// An ipop.config or dhcp.config that cannot be used: names the file, the element (a path such as
/// <c>DHCPConfig/ReservedIPs/IPAddress[2]</c>) and what was expected. The same shape and message format as Brunet's
/// <c>Brunet.Config.ConfigException</c> (Ipop.Dhcp does not depend on Brunet); commands print
/// <see cref="Exception.Message"/> as one line on stderr and exit 2.
/// </summary>
public sealed class IpopConfigException : Exception
{
    public IpopConfigException(string file, string element, string reason, int line = 0, Exception? innerException = null)
        : base(Format(file, element, reason, line), innerException)
    {
        File = file;
        Element = element;
        Reason = reason;
        Line = line;
    }

    /// <summary>The file as the user named it (or the path given to the parser).</summary>
    public string File { get; }

    /// <summary>Where in the file, e.g. <c>DHCPConfig/LeaseTime</c>.</summary>
    public string Element { get; }

    /// <summary>What was expected and what was found.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the element, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary><c>file:line: element: reason</c>, or <c>file: element: reason</c> without a line.</summary>
    internal static string Format(string file, string element, string reason, int line) => line > 0
        ? $"{file}:{line}: {element}: {reason}"
        : $"{file}: {element}: {reason}";
}
