using Brunet.Node;
using Brunet.Transport;

namespace Brunet.Simulation;

/// <summary>
/// Discrete-event virtual time for the simulator and deterministic tests: one queue of (time, sequence, action) run
/// on the calling thread. It is every node's loop, the in-memory network's delivery scheduler and the clock of all
/// of them, so a run with the same seeds replays exactly.
/// </summary>
public sealed class VirtualScheduler : TimeProvider, IMemoryScheduler, INodeLoop
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _queue = new();
    private long _now;
    private long _sequence;

    /// <summary>Virtual ticks per second: TimeSpan ticks, so a timestamp converts exactly.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public TimeProvider Time => this;

    public TimeSpan Now => TimeSpan.FromTicks(_now);

    public int Pending => _queue.Count;

    /// <summary>Events run so far.</summary>
    public long EventsRun { get; private set; }

    public override long GetTimestamp() => _now;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddYears(56).AddTicks(_now);

    /// <summary>
    /// Queues <paramref name="work"/>; the first post from a timer callback runs at once instead. A node's timer only
    /// hops onto its loop (<c>CreateTimer(_ => Loop.Post(tick))</c>), and here the timer already runs on it: one
    /// event per tick instead of two, at the same virtual time.
    /// </summary>
    public void Post(Action work)
    {
        if (_inTimerCallback)
        {
            _inTimerCallback = false;
            work();
            return;
        }
        Enqueue(_now, work);
    }

    private bool _inTimerCallback;

    public void Schedule(TimeSpan delay, Action action) => Enqueue(_now + Math.Max(0, delay.Ticks), action);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Runs events until the queue is empty or virtual time would pass <paramref name="until"/>.</summary>
    public void RunUntil(TimeSpan until)
    {
        long limit = until.Ticks;
        while (_queue.TryPeek(out _, out (long Time, long Sequence) key) && key.Time <= limit)
        {
            Action action = _queue.Dequeue();
            _now = Math.Max(_now, key.Time);
            EventsRun++;
            action();
        }
        _now = Math.Max(_now, limit);
    }

    /// <summary>Runs for <paramref name="span"/> of virtual time from now.</summary>
    public void RunFor(TimeSpan span) => RunUntil(Now + span);

    private void Enqueue(long at, Action action) => _queue.Enqueue(action, (at, _sequence++));

    private sealed class VirtualTimer(VirtualScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private long _generation;
        private long _period;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long generation = ++_generation;
            _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Arm(generation, dueTime.Ticks);
            }
            return true;
        }

        /// <summary>One closure per <see cref="Change"/>, re-queued for every period: a node's tick timer allocates nothing.</summary>
        private void Arm(long generation, long delay)
        {
            Action? fire = null;
            fire = () =>
            {
                if (generation != _generation)
                {
                    return;   // changed or disposed since
                }
                scheduler._inTimerCallback = true;
                try
                {
                    callback(state);
                }
                finally
                {
                    scheduler._inTimerCallback = false;
                }
                if (_period > 0 && generation == _generation)
                {
                    scheduler.Enqueue(scheduler._now + _period, fire!);
                }
            };
            scheduler.Enqueue(scheduler._now + Math.Max(0, delay), fire);
        }

        public void Dispose() => _generation++;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
