using System.Globalization;

namespace Brunet.Tools.Crawler;

/// <summary>"crawled 120 nodes, 35 in flight..." on a terminal's stderr, rewritten in place at most 10 times a second.</summary>
internal sealed class ProgressLine(TextWriter stderr, TimeProvider time) : IProgress<CrawlProgress>
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private long _lastWritten;
    private int _width;

    public void Report(CrawlProgress value)
    {
        lock (_lock)
        {
            long now = time.GetTimestamp();
            if (_width > 0 && time.GetElapsedTime(_lastWritten, now) < s_interval)
            {
                return;
            }
            _lastWritten = now;
            string text = string.Create(CultureInfo.InvariantCulture, $"crawled {value.Crawled} nodes, {value.InFlight} in flight...");
            stderr.Write("\r" + text.PadRight(_width));
            _width = Math.Max(_width, text.Length);
            stderr.Flush();
        }
    }

    /// <summary>Blanks the line so the report starts at column 0.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            if (_width > 0)
            {
                stderr.Write("\r" + new string(' ', _width) + "\r");
                stderr.Flush();
                _width = 0;
            }
        }
    }
}
