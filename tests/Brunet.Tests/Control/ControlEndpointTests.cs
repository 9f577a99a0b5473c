using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Brunet.Control;
using Brunet.Dht;
using Brunet.Node;
using Brunet.Tests.Node;

namespace Brunet.Tests.Control;

[NonParallelizable]
public partial class ControlEndpointTests
{
    [Test]
    public async Task Endpoints_ThreeNodeRing_ServeStatusMetricsAndDht()
    {
        await using RingHarness ring = RingHarness.Udp();
        for (int i = 0; i < 3; i++)
        {
            ring.AddNode();
        }
        await ring.WaitForRingAsync(TimeSpan.FromSeconds(20));
        OverlayNode node = ring.Nodes[0];
        var dhts = new List<DhtNode>();
        foreach (OverlayNode member in ring.Nodes)
        {
            dhts.Add(await DhtHost.StartAsync(member, null));   // every node holds its share of the DHT
        }
        DhtNode dht = dhts[0];
        await using ControlEndpoint control = await ControlEndpoint.StartAsync(node, 0);
        control.Dht = new ControlDht(dht);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{control.Port}/") };

        StatusJson? status = await http.GetFromJsonAsync<StatusJson>("api/status", ControlEndpoint.Json);
        Assert.That(status!.Address, Is.EqualTo(node.Address.ToString()));
        Assert.That(status.Links, Has.Count.EqualTo(2));
        Assert.That(status.Links.All(l => l.RttMs is > 0), Is.True, "every link has a fresh RTT");
        Assert.That(status.Edges["udp"], Is.EqualTo(2));

        HttpResponseMessage put = await http.PostAsJsonAsync("api/dht", new DhtPutRequestJson("greeting", "hello", 30, false), ControlEndpoint.Json);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        DhtGetJson? get = await http.GetFromJsonAsync<DhtGetJson>("api/dht?key=greeting", ControlEndpoint.Json);
        Assert.That(get!.Values.Select(v => v.Value), Is.EqualTo(new[] { "hello" }));

        string metrics = await http.GetStringAsync("metrics");
        foreach (string name in new[] { "brunet_frames_received_total", "brunet_bytes_sent_total", "brunet_edges_opened_total",
            "brunet_handshakes_failed_total", "brunet_malformed_total", "brunet_dht_operations_total", "brunet_links" })
        {
            Assert.That(MetricLine(name).IsMatch(metrics), Is.True, $"{name} missing or malformed in:\n{metrics}");
        }
        Assert.That(metrics.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).All(l => SampleLine().IsMatch(l)), Is.True, metrics);

        HttpResponseMessage outside = await http.GetAsync("api/linkstatus?node=not-an-address");
        Assert.That(outside.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        foreach (DhtNode d in dhts)
        {
            await d.DisposeAsync();
        }
    }

    private static Regex MetricLine(string name) => new($"(?m)^# TYPE {name} (counter|gauge)\n{name} [0-9.]+$");

    [GeneratedRegex(@"^[a-z_]+ [0-9.]+$")]
    private static partial Regex SampleLine();
}
