using System.Diagnostics.CodeAnalysis;
using System.Net;

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
