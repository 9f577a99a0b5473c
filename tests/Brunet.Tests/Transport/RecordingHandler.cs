using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>Keeps copies of what an edge delivers, in order, and lets a test await counts and the close.</summary>
internal sealed class RecordingHandler : IEdgeHandler
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _datagrams = [];
    private readonly List<string> _events = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closeCount;

    public Task<string> Closed => _closed.Task;

    public int CloseCount => Volatile.Read(ref _closeCount);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _datagrams.Count;
            }
        }
    }

    /// <summary>Received datagrams as hex and closes as "closed: reason", in the order they happened.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<byte[]> Datagrams
    {
        get
        {
            lock (_gate)
            {
                return [.. _datagrams];
            }
        }
    }

    public void OnReceived(IEdge edge, ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            _datagrams.Add(datagram.ToArray());
            _events.Add(Convert.ToHexString(datagram));
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_datagrams.Count >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public void OnClosed(IEdge edge, string reason)
    {
        Interlocked.Increment(ref _closeCount);
        lock (_gate)
        {
            _events.Add("closed: " + reason);
        }
        _closed.TrySetResult(reason);
    }

    /// <summary>Completes once <paramref name="count"/> datagrams have arrived in all.</summary>
    public Task WaitForCountAsync(int count)
    {
        lock (_gate)
        {
            if (_datagrams.Count >= count)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _datagrams.Clear();
            _events.Clear();
        }
    }
}
