using Brunet.Tools.Crawler;

namespace Tools.Tests.Crawler;

public sealed class CrawlCommandTests
{
    [Test]
    public async Task RunAsync_NothingListening_Exit2NamesTheAddress()
    {
        int port = FreePort.Next();

        (int exit, string stdout, string stderr) = await RunAsync("--node", $"127.0.0.1:{port}");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim(), Is.EqualTo($"crawl: no node is listening at 127.0.0.1:{port} (start one with bin/run_bootstrap_node)"));
    }

    [TestCase("--bogus")]
    [TestCase("--node", "localhost")]
    [TestCase("--node", "127.0.0.1:0")]
    [TestCase("--timeout", "0")]
    [TestCase("--timeout", "soon")]
    [TestCase("--concurrency", "0")]
    [TestCase("--svg", "/nonexistent-folder/ring.svg")]
    public async Task RunAsync_BadUsage_Exit2OneLine(params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunAsync(args);

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("crawl: "));
    }

    [Test]
    public async Task RunAsync_Help_Exit0DocumentsExitStatus()
    {
        (int exit, string stdout, _) = await RunAsync("--help");

        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("--json").And.Contain("--svg").And.Contain("Exit status"));
    }

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await CrawlCommand.RunAsync(args, stdout, stderr, showProgress: false);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
