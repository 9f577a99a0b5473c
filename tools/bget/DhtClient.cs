using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Brunet.Control;

namespace Brunet.Tools.Bget;

/// <summary>The DHT through a node's control endpoint: <c>GET /api/dht?key=K</c> and <c>POST /api/dht</c>.</summary>
internal sealed class DhtClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ControlAddress _node;

    /// <param name="timeout">For the whole request: a DHT operation crosses the overlay and may retry inside.</param>
    public DhtClient(ControlAddress node, TimeSpan timeout)
    {
        _node = node;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            BaseAddress = node.BaseUri,
            Timeout = timeout,
        };
    }

    /// <exception cref="DhtException">The node answered with an error.</exception>
    /// <exception cref="ControlEndpointException">Nothing listens at the node's address.</exception>
    public async Task<IReadOnlyList<DhtValueJson>> GetAsync(string key, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(
            () => _http.GetAsync($"api/dht?key={Uri.EscapeDataString(key)}", cancellationToken)).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
        DhtGetJson? body = await ReadAsync<DhtGetJson>(response, cancellationToken).ConfigureAwait(false);
        return body?.Values ?? [];
    }

    /// <summary>Stores a value; the answer says whether it was refused (create, and another value is there).</summary>
    /// <exception cref="DhtException">The node answered with an error other than a refusal.</exception>
    /// <exception cref="ControlEndpointException">Nothing listens at the node's address.</exception>
    public async Task<DhtPutJson> PutAsync(string key, string value, int ttlSeconds, bool create, CancellationToken cancellationToken)
    {
        var request = new DhtPutRequestJson(key, value, ttlSeconds, create);
        using HttpResponseMessage response = await SendAsync(
            () => _http.PostAsJsonAsync("api/dht", request, ControlEndpoint.Json, cancellationToken)).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict)
        {
            DhtPutJson? body = await ReadAsync<DhtPutJson>(response, cancellationToken).ConfigureAwait(false);
            return body ?? new DhtPutJson(response.StatusCode == HttpStatusCode.OK, null, null);
        }
        throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw ControlEndpointException.NotListening(_node, e);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new DhtException(HttpStatusCode.GatewayTimeout, $"the node at {_node} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
    }

    private async Task<T?> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ControlEndpoint.Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ControlEndpointException($"{_node} is not a Brunet control endpoint: {e.Message}", e);
        }
    }

    private async Task<DhtException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string message;
        try
        {
            ErrorJson? error = await response.Content.ReadFromJsonAsync<ErrorJson>(ControlEndpoint.Json, cancellationToken).ConfigureAwait(false);
            message = error?.Error ?? response.ReasonPhrase ?? "error";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            message = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        return new DhtException(response.StatusCode, message);
    }

    public void Dispose() => _http.Dispose();
}
