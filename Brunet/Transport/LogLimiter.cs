namespace Brunet.Transport;

/// <summary>
/// Lets at most one log line through per interval, for events a peer can trigger at will (malformed frames, ICMP
/// errors, refused datagrams); the events themselves are still counted by the caller.
/// </summary>
internal sealed class LogLimiter(TimeProvider time, TimeSpan interval)
{
    private long _next = long.MinValue;

    public static LogLimiter PerSecond() => new(TimeProvider.System, TimeSpan.FromSeconds(1));

    /// <summary>True when a line may be logged now; thread-safe, and only one caller wins each interval.</summary>
    public bool TryAcquire()
    {
        long now = time.GetTimestamp();
        long next = Volatile.Read(ref _next);
        if (now < next)
        {
            return false;
        }
        long intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
        return Interlocked.CompareExchange(ref _next, now + intervalTicks, next) == next;
    }
}
