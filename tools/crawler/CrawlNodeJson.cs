namespace Brunet.Tools.Crawler;

/// <summary>One node of `crawl --json`: its immediate neighbours (null when it has none), links and edges.</summary>
internal sealed record CrawlNodeJson(
    string Address, string? Left, string? Right, IReadOnlyList<CrawlConnectionJson> Connections,
    IReadOnlyList<CrawlEdgeJson> Edges, string? VirtualIp);
