using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brunet.Node;

/// <summary>
/// A node loop on the thread pool: posted work runs one item at a time, in order, without a thread of its own, so a
/// process can hold a thousand nodes. A failing work item is logged and the loop goes on.
/// </summary>
public sealed class SerialLoop(TimeProvider time, ILogger logger) : INodeLoop, IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<Action> _queue = new();
    private int _scheduled;

    public TimeProvider Time { get; } = time;

    public void Post(Action work)
    {
        _queue.Enqueue(work);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Run a bounded batch, then yield the thread so one busy node cannot starve the others.
        for (int i = 0; i < 256 && _queue.TryDequeue(out Action? work); i++)
        {
            try
            {
                work();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                NodeLog.LoopWorkFailed(logger, e);
            }
        }
        Volatile.Write(ref _scheduled, 0);
        if (!_queue.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
