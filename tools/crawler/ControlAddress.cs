using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Brunet.Tools;

/// <summary>
/// The <c>--node HOST:PORT</c> of crawl, bget and bput: where a node's control endpoint listens.
/// This file is compiled into both tools (tools/bget links it).
/// </summary>
internal sealed record ControlAddress(string Host, int Port)
{
    public const string DefaultText = "127.0.0.1:10000";

    public static ControlAddress Default => new("127.0.0.1", 10000);

    public Uri BaseUri => new($"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Parses <c>HOST:PORT</c> (IPv6 as <c>[::1]:PORT</c>); on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ControlAddress? address, out string error)
    {
        address = null;
        error = $"expected HOST:PORT (e.g. {DefaultText}), got '{text}'";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;   // a bare IPv6 address is ambiguous; it needs brackets
        }
        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            return false;
        }
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = $"the port must be a number from 1 to 65535, got '{text[(colon + 1)..]}'";
            return false;
        }
        address = new ControlAddress(host, port);
        return true;
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
