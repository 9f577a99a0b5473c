using Brunet.Control;

namespace Brunet.Tools.Crawler;

/// <summary>What a crawl found: every node that answered, in ring order, and those that did not.</summary>
internal sealed record CrawlResult(
    IReadOnlyList<LinkStatusJson> Nodes, IReadOnlyList<string> Unreachable, TimeSpan Elapsed, bool TimedOut);
