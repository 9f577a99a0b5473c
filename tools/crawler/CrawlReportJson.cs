namespace Brunet.Tools.Crawler;

// The shape of `crawl --json` (CONTRACT.md); property names become snake_case.

internal sealed record CrawlReportJson(
    int TotalNodes, int ConsistentNodes, double Consistency, int Connections, int SecurityAssociations, int WrappedEdges,
    int Edges, int RelayEdges, int SubringEdges, int TcpEdges, int UdpEdges, double CrawlSeconds,
    IReadOnlyList<CrawlNodeJson> Nodes, IReadOnlyList<string> Unreachable, IReadOnlyList<string> Inconsistent);
