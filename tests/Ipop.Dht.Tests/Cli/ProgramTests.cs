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
    public void TearDown()
    {
        CaHooks.Init = null;
        CaHooks.Sign = null;
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task Main_CaInitWithoutTheCertificateCode_ExitsTwo() =>
        Assert.That(await Program.Main(["ca", "init", "--out", _folder, "--name", "group"]), Is.EqualTo(2));

    [Test]
    public async Task Main_CaSign_CallsTheHookWithItsArguments()
    {
        string? seen = null;
        CaHooks.Sign = (ca, host, output, _, _) =>
        {
            seen = $"{ca}|{host}|{output}";
            return 0;
        };

        int exit = await Program.Main(["ca", "sign", "--ca", "/ca", "--name", "alice", "--out", "/out"]);

        Assert.That(exit, Is.Zero);
        Assert.That(seen, Is.EqualTo("/ca|alice|/out"));
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
