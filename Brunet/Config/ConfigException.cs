namespace Brunet.Config;

/// <summary>
/// A configuration file that cannot be used: names the file, the element (an XPath-like path such as
/// <c>NodeConfig/EdgeListeners/EdgeListener[2]/port</c>) and what was expected. The commands print
/// <see cref="Exception.Message"/> as one line on stderr and exit 2.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, string element, string reason, int line = 0, Exception? innerException = null)
        : base(Format(file, element, reason, line), innerException)
    {
        File = file;
        Element = element;
        Reason = reason;
        Line = line;
    }

    /// <summary>The file as the user named it (or the path given to the parser).</summary>
    public string File { get; }

    /// <summary>Where in the file: <c>NodeConfig/RemoteTAs/Transport[3]</c>, or <c>NodeConfig/EdgeListeners/EdgeListener/@type</c> for an attribute.</summary>
    public string Element { get; }

    /// <summary>What was expected and what was found, e.g. <c>a port number 0-65535, got 'abc'</c>.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the element in the file, or 0 when unknown (a missing file, a missing element).</summary>
    public int Line { get; }

    /// <summary><c>file:line: element: reason</c>, or <c>file: element: reason</c> without a line.</summary>
    internal static string Format(string file, string element, string reason, int line) => line > 0
        ? $"{file}:{line}: {element}: {reason}"
        : $"{file}: {element}: {reason}";
}
