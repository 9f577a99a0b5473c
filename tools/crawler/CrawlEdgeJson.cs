namespace Brunet.Tools.Crawler;

/// <summary>A transport edge in `crawl --json`: "udp", "tcp", "relay" or "memory", and the far end.</summary>
internal sealed record CrawlEdgeJson(string Kind, string Remote);
