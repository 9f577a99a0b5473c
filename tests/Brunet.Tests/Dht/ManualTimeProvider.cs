namespace Brunet.Tests.Dht;

/// <summary>Virtual time for the fake network: it moves only when the test advances it; timers fire in due order.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks = TimeSpan.TicksPerDay;
    private long _nextTimerId;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state, _nextTimerId++);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>When the next active timer is due, or null.</summary>
    public DateTimeOffset? NextDue => _timers.Count == 0 ? null : _timers.Min(t => t.Due);

    public void AdvanceTo(DateTimeOffset time)
    {
        if (time > _now)
        {
            _ticks += (time - _now).Ticks;
            _now = time;
        }
    }

    /// <summary>Fires the earliest timer that is due now; false when none is.</summary>
    public bool FireOneDue()
    {
        ManualTimer? due = null;
        foreach (ManualTimer timer in _timers)
        {
            if (timer.Due <= _now && (due is null || timer.Due < due.Due || (timer.Due == due.Due && timer.Id < due.Id)))
            {
                due = timer;
            }
        }
        if (due is null)
        {
            return false;
        }
        if (due.Period > TimeSpan.Zero && due.Period != Timeout.InfiniteTimeSpan)
        {
            due.Due += due.Period;
        }
        else
        {
            _timers.Remove(due);
        }
        due.Fire();
        return true;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state, long id) : ITimer
    {
        public long Id { get; } = id;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner._timers.Remove(this);
            Period = period;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Due = owner._now + dueTime;
                owner._timers.Add(this);
            }
            return true;
        }

        public void Dispose() => owner._timers.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
