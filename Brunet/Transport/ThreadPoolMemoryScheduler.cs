namespace Brunet.Transport;

/// <summary>The default <see cref="IMemoryScheduler"/>: thread-pool work items, delayed by timers of <see cref="TimeProvider"/>.</summary>
internal sealed class ThreadPoolMemoryScheduler(TimeProvider time) : IMemoryScheduler
{
    public static ThreadPoolMemoryScheduler System { get; } = new(TimeProvider.System);

    public void Schedule(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (delay <= TimeSpan.Zero)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static work => work(), action, preferLocal: false);
            return;
        }
        // Task.Delay's timer is rooted by the runtime until it fires; the continuation runs on the thread pool.
        _ = Task.Delay(delay, time).ContinueWith(
            static (_, state) => ((Action)state!)(), action, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
