namespace Brunet.Transport;

/// <summary>
/// Runs the in-memory network's deliveries. The default uses the thread pool and the system clock; the simulator
/// plugs in one that runs actions in virtual time on its own thread.
/// </summary>
public interface IMemoryScheduler
{
    /// <summary>
    /// Runs <paramref name="action"/> once, <paramref name="delay"/> from now (zero: soon). Must not run it inside
    /// this call. Actions may run concurrently; <see cref="MemoryNetwork"/> keeps each edge's deliveries in order
    /// itself.
    /// </summary>
    void Schedule(TimeSpan delay, Action action);
}
