namespace Brunet.Tools.Crawler;

/// <summary>A link in `crawl --json`: the peer and why the link exists ("near", "shortcut", "near+leaf", ...).</summary>
internal sealed record CrawlConnectionJson(string Address, string Type);
