namespace Brunet.Node;

/// <summary>
/// The one loop that owns a node's state. Work from transports, timers and the control endpoint is posted here and
/// runs one item at a time, in order. Real nodes run it on the thread pool; the simulator runs every node's loop on
/// one thread in virtual time.
/// </summary>
public interface INodeLoop
{
    /// <summary>The clock of this loop: the system clock, or the simulator's virtual one.</summary>
    TimeProvider Time { get; }

    /// <summary>Queues <paramref name="work"/> to run on the loop after what is already queued.</summary>
    void Post(Action work);
}
