using System.Net;
using System.Text.Json;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking;
using Brunet.Messaging.Rpc;
using Brunet.Node;
using Brunet.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brunet.Control;

/// <summary>
/// A node's local HTTP/JSON endpoint (ASP.NET Core minimal API), bound to 127.0.0.1 only: node information, link
/// status of any node through overlay RPC (the crawler walks the ring with it), the DHT, and Prometheus metrics.
/// </summary>
public sealed partial class ControlEndpoint : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    private readonly OverlayNode _node;
    private readonly WebApplication _app;

    private ControlEndpoint(OverlayNode node, WebApplication app)
    {
        _node = node;
        _app = app;
    }

    /// <summary>The DHT operations, when the process runs a DHT (issue B).</summary>
    public IControlDht? Dht { get; set; }

    /// <summary>Extra metrics lines (Prometheus text) from layers above the overlay.</summary>
    public Func<string>? ExtraMetrics { get; set; }

    public int Port { get; private set; }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    public static async Task<ControlEndpoint> StartAsync(OverlayNode node, int port, ILoggerFactory? loggers = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggers is not null)
        {
            builder.Services.AddSingleton(loggers);
        }
        // Loopback only: the endpoint can read and write the DHT as this node, so it is never offered to the network.
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, port));
        WebApplication app = builder.Build();
        var endpoint = new ControlEndpoint(node, app);
        endpoint.MapRoutes();
        await app.StartAsync().ConfigureAwait(false);
        endpoint.Port = new Uri(app.Urls.First()).Port;
        return endpoint;
    }

    private void MapRoutes()
    {
        _app.MapGet("/api/node", async () => Results.Json(ToJson(await _node.InvokeAsync(_node.GetNodeInfo).ConfigureAwait(false)), Json));
        _app.MapGet("/api/linkstatus", GetLinkStatusAsync);
        _app.MapGet("/api/dht", GetDhtAsync);
        _app.MapPost("/api/dht", PutDhtAsync);
        _app.MapGet("/api/status", StatusAsync);
        _app.MapPost("/api/link", RequestLinkAsync);
        _app.MapGet("/api/ping", PingAsync);
        _app.MapGet("/metrics", async () => Results.Text(await MetricsAsync().ConfigureAwait(false), "text/plain; version=0.0.4"));
    }

    private async Task<IResult> GetLinkStatusAsync(string? node)
    {
        if (string.IsNullOrEmpty(node) || node == _node.Address.ToString())
        {
            LinkStatus local = await _node.InvokeAsync(_node.GetLinkStatus).ConfigureAwait(false);
            return Results.Json(ToJson(local), Json);
        }
        if (!Address.TryParse(node, out Address target))
        {
            return Results.Json(new ErrorJson($"'{node}' is not a node address"), Json, statusCode: 400);
        }
        RpcResult result = await _node.CallAsync(RpcTarget.Routed(target), Methods.LinkStatus, [], maxResends: 2).ConfigureAwait(false);
        if (!result.IsOk)
        {
            return Results.Json(new ErrorJson($"{target}: {result.Error}: {result.Message}"), Json, statusCode: 504);
        }
        try
        {
            return Results.Json(ToJson(LinkStatus.Read(result.Body)), Json);
        }
        catch (Messaging.WireFormatException e)
        {
            return Results.Json(new ErrorJson($"{target}: malformed reply: {e.Message}"), Json, statusCode: 502);
        }
    }

    /// <summary>Facts from layers above the overlay for <c>/api/status</c> (the GroupVPN's lease), as name/value pairs.</summary>
    public Func<IReadOnlyDictionary<string, string?>>? ExtraStatus { get; set; }

    /// <summary>
    /// This node's status (issue E): address, transport addresses as peers see them, links by type with a fresh RTT
    /// (a direct ping over each link), edges by kind, DHT records held, virtual IP and lease.
    /// </summary>
    private async Task<IResult> StatusAsync()
    {
        (NodeInfo info, LinkStatus status) = await _node.InvokeAsync(() => (_node.GetNodeInfo(), _node.GetLinkStatus())).ConfigureAwait(false);
        Connections.ConnectionTable table = _node.Connections;
        var pings = table.Clockwise
            .Select(c => (Link: c, Ping: _node.CallAsync(RpcTarget.Direct(c.Edge, c.Peer), Methods.Ping, [], maxResends: 1)))
            .ToList();
        await Task.WhenAll(pings.Select(p => p.Ping)).ConfigureAwait(false);
        var links = pings.Select(p => new StatusLinkJson(
            p.Link.Peer.ToString(),
            ConnectionTypeNames.ToText(p.Link.Types),
            KindName(p.Link.Edge.Kind),
            p.Link.Edge.RemoteAddress,
            p.Ping.Result.IsOk ? Math.Round(p.Ping.Result.Elapsed.TotalMilliseconds, 3) : null)).ToList();
        var edgesByKind = status.Edges.GroupBy(e => KindName(e.Kind)).ToDictionary(g => g.Key, g => g.Count());
        var body = new StatusJson(
            info.Address.ToString(),
            info.Namespace,
            info.TransportAddresses,
            Math.Round(info.EstimatedNetworkSize, 1),
            links,
            edgesByKind,
            status.SecurityAssociations,
            Dht?.RecordCount,
            info.VirtualIp,
            ExtraStatus?.Invoke());
        return Results.Json(body, Json);
    }

    /// <summary>Asks this node to make a direct (or, failing that, relay) link to a node, as VPN traffic would.</summary>
    private IResult RequestLinkAsync(string? node)
    {
        if (!Address.TryParse(node, out Address target))
        {
            return Results.Json(new ErrorJson($"'{node}' is not a node address"), Json, statusCode: 400);
        }
        _node.RequestDirectLink(target);
        return Results.Json(new { requested = target.ToString() }, Json, statusCode: 202);
    }

    /// <summary>A routed ping to a node: its round-trip time, and whether this node has a link to it and of what kind.</summary>
    private async Task<IResult> PingAsync(string? node)
    {
        if (!Address.TryParse(node, out Address target))
        {
            return Results.Json(new ErrorJson($"'{node}' is not a node address"), Json, statusCode: 400);
        }
        RpcResult result = await _node.CallAsync(RpcTarget.Routed(target), Methods.Ping, [], maxResends: 2).ConfigureAwait(false);
        Connections.Connection? link = _node.Connections.Get(target);
        var body = new
        {
            node = target.ToString(),
            ok = result.IsOk,
            error = result.IsOk ? null : result.ToString(),
            rtt_ms = Math.Round(result.Elapsed.TotalMilliseconds, 3),
            link = link is null ? null : KindName(link.Edge.Kind),
            link_remote = link?.Edge.RemoteAddress,
        };
        return Results.Json(body, Json, statusCode: result.IsOk ? 200 : 504);
    }

    private async Task<IResult> GetDhtAsync(string? key)
    {
        if (Dht is null)
        {
            return Results.Json(new ErrorJson("this node runs no DHT"), Json, statusCode: 501);
        }
        if (string.IsNullOrEmpty(key))
        {
            return Results.Json(new ErrorJson("missing ?key="), Json, statusCode: 400);
        }
        try
        {
            IReadOnlyList<DhtValueJson> values = await Dht.GetAsync(key).ConfigureAwait(false);
            return Results.Json(new DhtGetJson(key, values), Json);
        }
        catch (ArgumentException e)
        {
            return Results.Json(new ErrorJson(e.Message), Json, statusCode: 400);
        }
    }

    private async Task<IResult> PutDhtAsync(HttpRequest request)
    {
        if (Dht is null)
        {
            return Results.Json(new ErrorJson("this node runs no DHT"), Json, statusCode: 501);
        }
        DhtPutRequestJson? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<DhtPutRequestJson>(request.Body, Json).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Results.Json(new ErrorJson($"bad JSON: {e.Message}"), Json, statusCode: 400);
        }
        if (body?.Key is not { Length: > 0 } key || body.Value is null)
        {
            return Results.Json(new ErrorJson("key and value are required"), Json, statusCode: 400);
        }
        int ttl = body.Ttl ?? 3600;
        if (ttl <= 0)
        {
            return Results.Json(new ErrorJson($"ttl must be a positive number of seconds, got {ttl}"), Json, statusCode: 400);
        }
        try
        {
            DhtPutJson result = await Dht.PutAsync(key, body.Value, TimeSpan.FromSeconds(ttl), body.Create ?? false).ConfigureAwait(false);
            return Results.Json(result, Json, statusCode: result.Ok ? 200 : 409);
        }
        catch (ArgumentException e)
        {
            return Results.Json(new ErrorJson(e.Message), Json, statusCode: 400);
        }
    }

    public static NodeInfoJson ToJson(NodeInfo info) => new(
        info.Address.ToString(), info.Namespace, info.TransportAddresses, info.Links, info.Edges, info.EstimatedNetworkSize, info.VirtualIp);

    public static LinkStatusJson ToJson(LinkStatus status) => new(
        status.Node.ToString(),
        status.Right.Select(a => a.ToString()).ToList(),
        status.Left.Select(a => a.ToString()).ToList(),
        status.Links.Select(l => new ConnectionJson(l.Peer.ToString(), ConnectionTypeNames.ToText(l.Types), KindName(l.EdgeKind), l.Remote)).ToList(),
        status.Edges.Select(e => new EdgeJson(KindName(e.Kind), e.Remote, e.Linked)).ToList(),
        status.SecurityAssociations,
        status.VirtualIp);

    public static string KindName(TransportKind kind) => kind switch
    {
        TransportKind.Udp => "udp",
        TransportKind.Tcp => "tcp",
        TransportKind.Tunnel => "relay",
        TransportKind.Memory => "memory",
        _ => "unknown",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>What the control endpoint needs of the DHT; the DHT layer implements it.</summary>
public interface IControlDht
{
    Task<IReadOnlyList<DhtValueJson>> GetAsync(string key);

    Task<DhtPutJson> PutAsync(string key, string value, TimeSpan ttl, bool create);

    /// <summary>Records this node holds for the DHT.</summary>
    int RecordCount { get; }

    /// <summary>Appends the DHT's counters in Prometheus text format.</summary>
    void WriteMetrics(System.Text.StringBuilder text);
}
