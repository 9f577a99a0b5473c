using System.Net;

namespace Brunet.Tools.Bget;

/// <summary>The control endpoint answered a DHT request with an error (its HTTP status and message).</summary>
internal sealed class DhtException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
