using Brunet.Control;
using Brunet.Tools.Crawler;

namespace Tools.Tests.Crawler;

/// <summary>Answers from a list of link statuses, without sockets; some nodes can be silent or hang.</summary>
internal sealed class FakeLinkStatusSource(IReadOnlyList<LinkStatusJson> nodes, int localIndex = 0) : ILinkStatusSource
{
    private readonly Dictionary<string, LinkStatusJson> _byAddress = nodes.ToDictionary(n => n.Address);
    private int _inFlight;

    public HashSet<string> Silent { get; } = [];

    public HashSet<string> Hanging { get; } = [];

    public bool Yield { get; init; } = true;

    public int MaxInFlight { get; private set; }

    public List<string?> Asked { get; } = [];

    public async Task<LinkStatusJson?> GetAsync(string? address, CancellationToken cancellationToken)
    {
        lock (Asked)
        {
            Asked.Add(address);
            MaxInFlight = Math.Max(MaxInFlight, ++_inFlight);
        }
        try
        {
            if (Yield)
            {
                await Task.Delay(1, cancellationToken);
            }
            address ??= nodes[localIndex].Address;
            if (Hanging.Contains(address))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            return Silent.Contains(address) ? null : _byAddress.GetValueOrDefault(address);
        }
        finally
        {
            lock (Asked)
            {
                _inFlight--;
            }
        }
    }
}
