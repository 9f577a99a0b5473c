namespace Brunet.Tools.Crawler;

/// <summary>A crawl under way: nodes answered so far and requests outstanding.</summary>
internal readonly record struct CrawlProgress(int Crawled, int InFlight);
