using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace Brunet.Transport;

/// <summary>
/// Where an edge can be made: <c>brunet.udp://IP:PORT</c>, <c>brunet.tcp://IP:PORT</c>, <c>brunet.tunnel://…</c>
/// (a relay, issue D) or <c>brunet.mem://NAME</c> (the in-memory transport of tests and the simulator).
/// </summary>
public sealed record TransportAddress
{
    /// <summary>Longest text form accepted from the wire or a config file.</summary>
    public const int MaxTextLength = 200;

    private TransportAddress(TransportKind kind, IPEndPoint? endPoint, string authority)
    {
        Kind = kind;
        EndPoint = endPoint;
        Authority = authority;
    }

    public TransportKind Kind { get; }

    /// <summary>The IP end point for UDP and TCP; null for the other kinds.</summary>
    public IPEndPoint? EndPoint { get; }

    /// <summary>Everything after <c>://</c>.</summary>
    public string Authority { get; }

    public static TransportAddress Udp(IPEndPoint endPoint) => new(TransportKind.Udp, endPoint, Format(endPoint));

    public static TransportAddress Tcp(IPEndPoint endPoint) => new(TransportKind.Tcp, endPoint, Format(endPoint));

    public static TransportAddress Memory(string name) => new(TransportKind.Memory, null, name);

    public static TransportAddress Tunnel(string authority) => new(TransportKind.Tunnel, null, authority);

    public static string Scheme(TransportKind kind) => kind switch
    {
        TransportKind.Udp => "brunet.udp",
        TransportKind.Tcp => "brunet.tcp",
        TransportKind.Tunnel => "brunet.tunnel",
        TransportKind.Memory => "brunet.mem",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public override string ToString() => Scheme(Kind) + "://" + Authority;

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out TransportAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Length > MaxTextLength)
        {
            return false;
        }
        int split = text.IndexOf("://", StringComparison.Ordinal);
        if (split <= 0)
        {
            return false;
        }
        string scheme = text[..split];
        string rest = text[(split + 3)..];
        if (rest.Length == 0)
        {
            return false;
        }
        switch (scheme)
        {
            case "brunet.udp":
            case "brunet.tcp":
                if (!IPEndPoint.TryParse(rest, out IPEndPoint? endPoint) || endPoint.Port == 0 || !rest.Contains(':', StringComparison.Ordinal))
                {
                    return false;
                }
                address = scheme == "brunet.udp" ? Udp(endPoint) : Tcp(endPoint);
                return true;
            case "brunet.tunnel":
                address = Tunnel(rest);
                return true;
            case "brunet.mem":
                address = Memory(rest);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// <see cref="TryParse(string?, out TransportAddress?)"/> of UTF-8 text, as it comes off the wire: the scheme is
    /// matched in place, so only the part after <c>://</c> becomes a string.
    /// </summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> text, [NotNullWhen(true)] out TransportAddress? address)
    {
        address = null;
        if (text.IsEmpty || text.Length > MaxTextLength)
        {
            return false;
        }
        int split = text.IndexOf("://"u8);
        if (split <= 0 || split + 3 == text.Length)
        {
            return false;
        }
        ReadOnlySpan<byte> scheme = text[..split];
        ReadOnlySpan<byte> rest = text[(split + 3)..];
        if (scheme.SequenceEqual("brunet.mem"u8))
        {
            address = Memory(Encoding.UTF8.GetString(rest));
            return true;
        }
        if (scheme.SequenceEqual("brunet.tunnel"u8))
        {
            address = Tunnel(Encoding.UTF8.GetString(rest));
            return true;
        }
        if (!scheme.SequenceEqual("brunet.udp"u8) && !scheme.SequenceEqual("brunet.tcp"u8))
        {
            return false;
        }
        return TryParse(Encoding.UTF8.GetString(text), out address);
    }

    /// <summary>
    /// Writes <see cref="ToString"/> as UTF-8 into <paramref name="destination"/> (255 bytes hold any address);
    /// returns the byte count.
    /// </summary>
    public int FormatUtf8(Span<byte> destination)
    {
        string scheme = Scheme(Kind);
        int length = scheme.Length + 3 + Encoding.UTF8.GetByteCount(Authority);
        if (length > destination.Length)
        {
            throw new ArgumentException($"The address is longer than {destination.Length} bytes.", nameof(destination));
        }
        int at = Encoding.ASCII.GetBytes(scheme, destination);
        "://"u8.CopyTo(destination[at..]);
        Encoding.UTF8.GetBytes(Authority, destination[(at + 3)..]);
        return length;
    }

    public static TransportAddress Parse(string text) => TryParse(text, out TransportAddress? address)
        ? address
        : throw new FormatException($"'{text}' is not a transport address (brunet.udp://IP:PORT or brunet.tcp://IP:PORT).");

    private static string Format(IPEndPoint endPoint)
    {
        IPAddress ip = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ip}]:{endPoint.Port}"
            : $"{ip}:{endPoint.Port}";
    }
}
