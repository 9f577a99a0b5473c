using System.Net;
using System.Net.Sockets;
using Ipop.Dht.Cli;

namespace Ipop.Dht.Tests.Cli;

[NonParallelizable]
public sealed class ProgramTests
{
    private string _folder = "";

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("gv-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Main_CaInitThenSign_MakesAuthorityAndMemberFiles()
    {
        string ca = Path.Combine(_folder, "ca");
        string member = Path.Combine(_folder, "alice");
        Assert.That(await Program.Main(["ca", "init", "--out", ca, "--name", "demo"]), Is.Zero);
        Assert.That(await Program.Main(["ca", "sign", "--ca", ca, "--name", "alice", "--out", member]), Is.Zero);
        Assert.That(File.Exists(Path.Combine(ca, "ca.key")) && File.Exists(Path.Combine(ca, "ca.crt")), Is.True);
        Assert.That(File.Exists(Path.Combine(member, "node.key")) && File.Exists(Path.Combine(member, "node.crt")) && File.Exists(Path.Combine(member, "ca.crt")), Is.True);
        Assert.That(await Program.Main(["ca", "init", "--out", ca, "--name", "demo"]), Is.EqualTo(2), "ca init over an existing authority");
    }

    [TestCase("bogus")]
    [TestCase("ca", "init", "--name", "group")]
    [TestCase("run", "--etc")]
    public async Task Main_BadUsage_ExitsTwo(params string[] args) =>
        Assert.That(await Program.Main(args), Is.EqualTo(2));

    [Test]
    public async Task Main_RunWithoutConfigs_ExitsTwo() =>
        Assert.That(await Program.Main(["run", "--etc", Path.Combine(_folder, "missing")]), Is.EqualTo(2));

    [Test]
    public async Task Main_StopWhenNotRunning_ExitsOne() =>
        Assert.That(await Program.Main(["stop", "--etc", _folder]), Is.EqualTo(1));

    [Test]
    public async Task Main_StatusWhenNothingAnswers_ExitsOne()
    {
        int port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(_folder, "node.config"), $"""
            <?xml version="1.0"?>
            <NodeConfig>
              <BrunetNamespace>test</BrunetNamespace>
              <EdgeListeners><EdgeListener type="udp"><port>0</port></EdgeListener></EdgeListeners>
              <ControlEndpoint><Enabled>true</Enabled><Port>{port}</Port></ControlEndpoint>
            </NodeConfig>
            """);

        Assert.That(await Program.Main(["status", "--etc", _folder]), Is.EqualTo(1));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
