using Brunet.Addressing;
using Brunet.Control;

namespace Tools.Tests.Crawler;

/// <summary>
/// A made-up overlay of N nodes with true neighbour lists: each node links to its 2 neighbours on each side (near)
/// and to a few others (shortcut), one edge per link; edge kinds cycle through udp, udp, tcp, relay.
/// </summary>
internal static class FakeRing
{
    public static List<LinkStatusJson> Build(int count, int seed = 1)
    {
        var random = new Random(seed);
        var addresses = Enumerable.Range(0, count).Select(_ => Address.Random(random).AsNodeAddress()).Distinct().Order().ToList();
        var nodes = new List<LinkStatusJson>(count);
        string[] kinds = ["udp", "udp", "tcp", "relay"];
        for (int i = 0; i < addresses.Count; i++)
        {
            string At(int offset) => addresses[((i + offset) % addresses.Count + addresses.Count) % addresses.Count].ToString();
            var peers = new List<(string Address, string Type)> { (At(1), "near"), (At(2), "near"), (At(-1), "near"), (At(-2), "near+leaf") };
            for (int s = 0; s < 1 + (i % 3); s++)
            {
                string shortcut = At(random.Next(3, Math.Max(4, addresses.Count - 3)));
                if (peers.All(p => p.Address != shortcut) && shortcut != At(0))
                {
                    peers.Add((shortcut, "shortcut"));
                }
            }
            var connections = peers.Select((p, k) => new ConnectionJson(p.Address, p.Type, kinds[(i + k) % kinds.Length], $"brunet.udp://127.0.0.1:{10000 + k}")).ToList();
            var edges = connections.Select(c => new EdgeJson(c.Kind, c.Remote, true)).ToList();
            if (i % 5 == 0)
            {
                edges.Add(new EdgeJson("tcp", "brunet.tcp://127.0.0.1:9", false));   // an edge not (yet) linked
            }
            nodes.Add(new LinkStatusJson(
                addresses[i].ToString(), [At(1), At(2)], [At(-1), At(-2)], connections, edges, edges.Count - 1, i % 2 == 0 ? $"10.128.0.{i % 250}" : null));
        }
        return nodes;
    }
}
