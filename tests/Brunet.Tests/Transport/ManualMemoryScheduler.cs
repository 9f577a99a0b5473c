using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>A virtual-time scheduler: nothing runs until the test advances the clock or asks for due work.</summary>
internal sealed class ManualMemoryScheduler : IMemoryScheduler
{
    private readonly PriorityQueue<Action, (TimeSpan Due, long Sequence)> _queue = new();
    private readonly List<TimeSpan> _delays = [];
    private long _sequence;

    public TimeSpan Now { get; private set; }

    /// <summary>Every delay asked for, in order.</summary>
    public IReadOnlyList<TimeSpan> Delays => _delays;

    public int Pending => _queue.Count;

    public void Schedule(TimeSpan delay, Action action)
    {
        _delays.Add(delay);
        _queue.Enqueue(action, (Now + delay, _sequence++));
    }

    /// <summary>Runs everything due by <see cref="Now"/>, including work it schedules for now; returns how many ran.</summary>
    public int RunDue()
    {
        int ran = 0;
        while (_queue.TryPeek(out _, out (TimeSpan Due, long Sequence) key) && key.Due <= Now)
        {
            _queue.Dequeue()();
            ran++;
        }
        return ran;
    }

    public int Advance(TimeSpan by)
    {
        Now += by;
        return RunDue();
    }

    /// <summary>Runs what is queued now, last scheduled first: a scheduler that keeps no order at all.</summary>
    public int RunAllReversed()
    {
        var actions = new List<Action>();
        while (_queue.TryDequeue(out Action? action, out _))
        {
            actions.Add(action);
        }
        actions.Reverse();
        actions.ForEach(a => a());
        return actions.Count;
    }
}
