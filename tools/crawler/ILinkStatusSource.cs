using Brunet.Control;

namespace Brunet.Tools.Crawler;

/// <summary>Where the crawler gets link status from: the control endpoint over HTTP, or a fake in tests.</summary>
internal interface ILinkStatusSource
{
    /// <summary>
    /// The link status of <paramref name="address"/> (null: the local node), or null when that node does not answer.
    /// </summary>
    /// <exception cref="ControlEndpointException">The local control endpoint itself cannot be reached.</exception>
    Task<LinkStatusJson?> GetAsync(string? address, CancellationToken cancellationToken);
}
