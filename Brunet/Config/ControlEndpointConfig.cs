namespace Brunet.Config;

/// <summary>
/// The local control endpoint (HTTP/JSON on 127.0.0.1) that <c>crawl</c>, <c>bget</c> and <c>bput</c> talk to:
/// <c>&lt;ControlEndpoint&gt;&lt;Enabled&gt;true&lt;/Enabled&gt;&lt;Port&gt;10000&lt;/Port&gt;&lt;/ControlEndpoint&gt;</c>,
/// also spelled <c>&lt;XmlRpcManager&gt;</c> as in Brunet.
/// </summary>
public sealed record ControlEndpointConfig
{
    /// <summary>The control port the tools default to (<c>--node 127.0.0.1:10000</c>).</summary>
    public const int DefaultPort = 10000;

    /// <remarks>
    /// False when the config has no ControlEndpoint element (this record's default). When the element is present
    /// without an <c>&lt;Enabled&gt;</c> child, the loader sets true: writing the element says you want it.
    /// </remarks>
    public bool Enabled { get; init; }

    /// <remarks>TCP port on 127.0.0.1, 1..65535. Defaults to 10000.</remarks>
    public int Port { get; init; } = DefaultPort;
}
