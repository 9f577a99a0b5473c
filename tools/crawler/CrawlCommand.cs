using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Brunet.Tools.Crawler;

/// <summary>
/// <c>crawl [--node HOST:PORT] [--json] [--svg FILE] [--timeout SECONDS]</c>. Exit 0 when every node answered,
/// 1 when some did not (the block still covers those that did), 2 on a usage error or when no node listens at --node.
/// </summary>
internal static class CrawlCommand
{
    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, bool showProgress, CancellationToken cancellationToken = default)
    {
        var nodeOption = new Option<string>("--node")
        {
            Description = "The control endpoint of a local node, HOST:PORT.",
            DefaultValueFactory = _ => ControlAddress.DefaultText,
            HelpName = "HOST:PORT",
        };
        var jsonOption = new Option<bool>("--json") { Description = "Print one JSON object instead of the text block (with every node, and the unreachable and inconsistent ones)." };
        var svgOption = new Option<string?>("--svg") { Description = "Also draw the ring as an SVG picture into FILE.", HelpName = "FILE" };
        var timeoutOption = new Option<double>("--timeout")
        {
            Description = "Give up after this many seconds; nodes not reached by then count as unreachable.",
            DefaultValueFactory = _ => 60,
            HelpName = "SECONDS",
        };
        var concurrencyOption = new Option<int>("--concurrency")
        {
            Description = "Link-status requests in flight at once.",
            DefaultValueFactory = _ => 32,
            HelpName = "N",
        };
        var root = new RootCommand(
            "Crawls the whole overlay from a local node and prints Brunet's statistics block: nodes, ring consistency, connections and edges.\n" +
            "Exit status: 0 every node answered; 1 some nodes did not answer (the figures cover those that did, the others are named on stderr); " +
            "2 usage error, or no node listens at --node.")
        {
            nodeOption, jsonOption, svgOption, timeoutOption, concurrencyOption,
        };
        root.SetAction((parse, token) => CrawlAsync(
            parse.GetValue(nodeOption)!, parse.GetValue(jsonOption), parse.GetValue(svgOption), parse.GetValue(timeoutOption),
            parse.GetValue(concurrencyOption), stdout, stderr, showProgress, token));

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"crawl: {parse.Errors[0].Message} (see crawl --help)");
            return 2;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> CrawlAsync(
        string nodeText, bool json, string? svgPath, double timeoutSeconds, int concurrency,
        TextWriter stdout, TextWriter stderr, bool showProgress, CancellationToken cancellationToken)
    {
        if (!ControlAddress.TryParse(nodeText, out ControlAddress? node, out string error))
        {
            stderr.WriteLine($"crawl: --node: {error}");
            return 2;
        }
        if (!(timeoutSeconds > 0 && timeoutSeconds <= 86_400))
        {
            stderr.WriteLine($"crawl: --timeout: a number of seconds from 0 to 86400, got {timeoutSeconds.ToString(CultureInfo.InvariantCulture)}");
            return 2;
        }
        if (concurrency is < 1 or > 1024)
        {
            stderr.WriteLine($"crawl: --concurrency: a number from 1 to 1024, got {concurrency}");
            return 2;
        }
        if (svgPath is not null && !CanWrite(svgPath, out string why))
        {
            stderr.WriteLine($"crawl: --svg: cannot write {svgPath}: {why}");
            return 2;
        }

        using var source = new HttpLinkStatusSource(node, TimeSpan.FromSeconds(5));
        var crawler = new Crawler(source, TimeProvider.System)
        {
            Concurrency = concurrency,
            TimeLimit = TimeSpan.FromSeconds(timeoutSeconds),
        };
        CrawlResult result;
        var progress = showProgress ? new ProgressLine(stderr, TimeProvider.System) : null;
        try
        {
            result = await crawler.CrawlAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ControlEndpointException e)
        {
            progress?.Clear();
            stderr.WriteLine($"crawl: {e.Message}");
            return 2;
        }
        catch (JsonException e)
        {
            progress?.Clear();
            stderr.WriteLine($"crawl: {node} is not a Brunet control endpoint: {e.Message}");
            return 2;
        }
        progress?.Clear();

        CrawlReport report = CrawlReport.From(result);
        stdout.Write(json ? report.ToJson() + "\n" : report.ToText());
        if (svgPath is not null)
        {
            await File.WriteAllTextAsync(svgPath, SvgRing.Render(report), CancellationToken.None).ConfigureAwait(false);
        }
        if (result.TimedOut)
        {
            stderr.WriteLine($"crawl: stopped after {timeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (--timeout); the figures cover the nodes reached");
        }
        foreach (string address in result.Unreachable)
        {
            stderr.WriteLine($"unreachable: {address}");
        }
        if (result.Unreachable.Count > 0)
        {
            stderr.WriteLine($"crawl: warning: {result.Unreachable.Count} nodes did not answer; the figures cover the {report.TotalNodes} that did");
            return 1;
        }
        return 0;
    }

    private static bool CanWrite(string path, out string why)
    {
        why = "";
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            why = $"no folder {folder}";
            return false;
        }
        if (Directory.Exists(path))
        {
            why = "it is a folder";
            return false;
        }
        return true;
    }
}
