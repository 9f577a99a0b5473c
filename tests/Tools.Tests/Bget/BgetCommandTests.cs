extern alias bget;

using System.Text.Json;
using bget::Brunet.Tools.Bget;

namespace Tools.Tests.Bget;

public sealed class BgetCommandTests
{
    private FakeControlEndpoint _node = null!;

    [SetUp]
    public async Task SetUp() => _node = await FakeControlEndpoint.StartAsync();

    [TearDown]
    public async Task TearDown() => await _node.DisposeAsync();

    [Test]
    public async Task Get_TwoValues_PrintsOnePerLineExit0()
    {
        _node.Body = """{"key":"k","values":[{"value":"one","ttl_remaining":10,"writer":"brunet:node:A"},{"value":"two","ttl_remaining":5,"writer":"brunet:node:B"}]}""";

        (int exit, string stdout, _) = await RunAsync("get", "dhcp:ipop:10.128.0.5", "--node", _node.Node);

        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Is.EqualTo("one\ntwo\n").Or.EqualTo("one" + Environment.NewLine + "two" + Environment.NewLine));
        Assert.That(_node.Requests.Single().Method, Is.EqualTo("GET"));
        Assert.That(Uri.UnescapeDataString(_node.Requests.Single().PathAndQuery), Is.EqualTo("/api/dht?key=dhcp:ipop:10.128.0.5"));
    }

    [Test]
    public async Task Get_NoValues_Exit1WithMessage()
    {
        _node.Body = """{"key":"k","values":[]}""";

        (int exit, string stdout, string stderr) = await RunAsync("get", "k", "--node", _node.Node);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("no value is stored under 'k'"));
    }

    [Test]
    public async Task Get_KeyNamedPut_IsAKeyNotTheCommand()
    {
        _node.Body = """{"key":"put","values":[{"value":"v","ttl_remaining":10,"writer":"w"}]}""";

        (int exit, string stdout, _) = await RunAsync("get", "put", "--node", _node.Node);

        Assert.That(exit, Is.Zero);
        Assert.That(stdout.Trim(), Is.EqualTo("v"));
        Assert.That(_node.Requests.Single().PathAndQuery, Is.EqualTo("/api/dht?key=put"));
    }

    [Test]
    public async Task Get_NodeRunsNoDht_Exit2SaysSo()
    {
        _node.Status = 501;
        _node.Body = """{"error":"this node runs no DHT"}""";

        (int exit, _, string stderr) = await RunAsync("get", "k", "--node", _node.Node);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo($"bget: the node at {_node.Node} runs no DHT"));
    }

    [Test]
    public async Task Get_DhtTimesOut_Exit1()
    {
        _node.Status = 504;
        _node.Body = """{"error":"no answer"}""";

        (int exit, _, string stderr) = await RunAsync("get", "k", "--node", _node.Node);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no answer"));
    }

    [Test]
    public async Task Get_NothingListening_Exit2OneLine()
    {
        int port = FreePort.Next();

        (int exit, _, string stderr) = await RunAsync("get", "k", "--node", $"127.0.0.1:{port}");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo($"bget: no node is listening at 127.0.0.1:{port} (start one with bin/run_bootstrap_node)"));
    }

    [TestCase("get")]
    [TestCase("get", "k", "--bogus")]
    [TestCase("get", "k", "--node", "nocolon")]
    [TestCase("get", "k", "--node", "127.0.0.1:99999")]
    [TestCase("put", "k")]
    [TestCase("put", "k", "v", "--ttl", "x")]
    [TestCase("put", "k", "v", "--ttl", "0")]
    [TestCase("put", "k", "v", "--ttl", "-5")]
    public async Task Run_BadUsage_Exit2OneLineAndNoRequest(params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunAsync(args);

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith(args[0] == "put" ? "bput: " : "bget: "));
        Assert.That(_node.Requests, Is.Empty);
    }

    [Test]
    public async Task Put_Defaults_PostsTtl3600WithoutCreateExit0()
    {
        _node.Body = """{"ok":true}""";

        (int exit, string stdout, string stderr) = await RunAsync("put", "k", "hello world", "--node", _node.Node);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Is.Empty);
        (string method, string path, string body) = _node.Requests.Single();
        Assert.That((method, path), Is.EqualTo(("POST", "/api/dht")));
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("key").GetString(), Is.EqualTo("k"));
        Assert.That(json.RootElement.GetProperty("value").GetString(), Is.EqualTo("hello world"));
        Assert.That(json.RootElement.GetProperty("ttl").GetInt32(), Is.EqualTo(3600));
        Assert.That(json.RootElement.GetProperty("create").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Put_TtlAndCreate_SentAsGiven()
    {
        _node.Body = """{"ok":true}""";

        (int exit, _, _) = await RunAsync("put", "k", "v", "--ttl", "60", "--create", "--node", _node.Node);

        Assert.That(exit, Is.Zero);
        using JsonDocument json = JsonDocument.Parse(_node.Requests.Single().Body);
        Assert.That(json.RootElement.GetProperty("ttl").GetInt32(), Is.EqualTo(60));
        Assert.That(json.RootElement.GetProperty("create").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Put_CreateRefused_Exit1NamesHolder()
    {
        _node.Status = 409;
        _node.Body = """{"ok":false,"error":"another value is stored","held_by":["brunet:node:HOLDER"]}""";

        (int exit, _, string stderr) = await RunAsync("put", "k", "v", "--create", "--node", _node.Node);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("bput: 'k' was not stored"));
        Assert.That(stderr, Does.Contain("brunet:node:HOLDER"));
    }

    [Test]
    public async Task Put_NodeRejectsKey_Exit2WithItsReason()
    {
        _node.Status = 400;
        _node.Body = """{"error":"key too long"}""";

        (int exit, _, string stderr) = await RunAsync("put", "k", "v", "--node", _node.Node);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("bput: 'k': key too long"));
    }

    [Test]
    public async Task Put_NodeRunsNoDht_Exit2()
    {
        _node.Status = 501;

        (int exit, _, string stderr) = await RunAsync("put", "k", "v", "--node", _node.Node);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("runs no DHT"));
    }

    [Test]
    public async Task Run_Help_Exit0PrintsUsage()
    {
        (int exit, string stdout, _) = await RunAsync("put", "--help");

        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("bput <KEY> <VALUE>"));
        Assert.That(stdout, Does.Contain("--ttl"));
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await BgetCommand.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
