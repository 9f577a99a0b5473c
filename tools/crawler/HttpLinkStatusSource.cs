using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Brunet.Control;

namespace Brunet.Tools.Crawler;

/// <summary>
/// Link status through a node's control endpoint: <c>GET /api/linkstatus[?node=ADDRESS]</c>. Each request has its
/// own time limit and is tried twice; a node that still does not answer is reported as null (unreachable).
/// </summary>
internal sealed class HttpLinkStatusSource : ILinkStatusSource, IDisposable
{
    private readonly HttpClient _http;
    private readonly ControlAddress _node;
    private readonly TimeSpan _requestTimeout;

    /// <param name="requestTimeout">Per request; the endpoint's own overlay RPC gives up after a few seconds.</param>
    public HttpLinkStatusSource(ControlAddress node, TimeSpan requestTimeout)
    {
        _node = node;
        _requestTimeout = requestTimeout;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            BaseAddress = node.BaseUri,
            Timeout = Timeout.InfiniteTimeSpan,   // per request below, so one slow node cannot stall the crawl
        };
    }

    public async Task<LinkStatusJson?> GetAsync(string? address, CancellationToken cancellationToken)
    {
        string path = address is null ? "api/linkstatus" : $"api/linkstatus?node={Uri.EscapeDataString(address)}";
        for (int attempt = 0; attempt < 2; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_requestTimeout);
            try
            {
                using HttpResponseMessage response = await _http.GetAsync(path, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.Content.ReadFromJsonAsync<LinkStatusJson>(ControlEndpoint.Json, timeout.Token).ConfigureAwait(false);
                }
                if (response.StatusCode == HttpStatusCode.NotFound && address is null)
                {
                    throw new ControlEndpointException($"{_node} answers HTTP but is not a Brunet control endpoint (no /api/linkstatus)");
                }
                if (response.StatusCode == HttpStatusCode.BadRequest)
                {
                    return null;   // not a node address: asking again will not help
                }
            }
            catch (HttpRequestException e) when (IsNotListening(e))
            {
                throw ControlEndpointException.NotListening(_node, e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (JsonException) when (address is not null)
            {
                return null;   // a malformed answer counts as no answer
            }
        }
        return null;
    }

    private static bool IsNotListening(HttpRequestException e) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable or SocketError.TimedOut }
        || e.HttpRequestError == HttpRequestError.ConnectionError;

    public void Dispose() => _http.Dispose();
}
