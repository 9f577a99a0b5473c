using Brunet.Tools.Crawler;

namespace Tools.Tests.Crawler;

public sealed class ProgressLineTests
{
    [Test]
    public void Report_ThenClear_RewritesOneLineAndBlanksIt()
    {
        using var stderr = new StringWriter();
        var line = new ProgressLine(stderr, TimeProvider.System);

        line.Report(new CrawlProgress(120, 35));
        line.Report(new CrawlProgress(121, 34));   // within 100 ms of the first: not written
        line.Clear();

        string text = stderr.ToString();
        Assert.That(text, Does.StartWith("\rcrawled 120 nodes, 35 in flight..."));
        Assert.That(text, Does.Not.Contain("121"));
        Assert.That(text, Does.Not.Contain('\n'));
        Assert.That(text, Does.EndWith(new string(' ', "crawled 120 nodes, 35 in flight...".Length) + "\r"));
    }

    [Test]
    public void Clear_NothingReported_WritesNothing()
    {
        using var stderr = new StringWriter();

        new ProgressLine(stderr, TimeProvider.System).Clear();

        Assert.That(stderr.ToString(), Is.Empty);
    }
}
