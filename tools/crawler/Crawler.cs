using Brunet.Addressing;
using Brunet.Control;

namespace Brunet.Tools.Crawler;

/// <summary>
/// Walks the whole overlay: starts at the local node and asks for the link status of every address named in any
/// answer (connections, left and right neighbours), with up to <see cref="Concurrency"/> requests in flight.
/// </summary>
internal sealed class Crawler(ILinkStatusSource source, TimeProvider time)
{
    /// <remarks>Defaults to 32: each request is an overlay RPC the local node forwards, so this bounds its load too.</remarks>
    public int Concurrency { get; init; } = 32;

    /// <remarks>Defaults to 60 s. Nodes not yet asked or still outstanding then are reported unreachable.</remarks>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <exception cref="ControlEndpointException">The local node cannot be reached or does not answer.</exception>
    public async Task<CrawlResult> CrawlAsync(IProgress<CrawlProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        long started = time.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeLimit);

        LinkStatusJson local = await source.GetAsync(null, limit.Token).ConfigureAwait(false)
            ?? throw new ControlEndpointException("the local node did not report its link status");

        var answered = new Dictionary<string, LinkStatusJson>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { local.Address };
        var unreachable = new List<string>();
        var pending = new Queue<string>();
        var running = new Dictionary<Task<LinkStatusJson?>, string>();
        Accept(local);

        bool timedOut = false;
        while (pending.Count > 0 || running.Count > 0)
        {
            while (pending.Count > 0 && running.Count < Concurrency && !limit.IsCancellationRequested)
            {
                string address = pending.Dequeue();
                running.Add(source.GetAsync(address, limit.Token), address);
            }
            if (running.Count == 0)
            {
                break;   // time is up and nothing is outstanding
            }
            Task<LinkStatusJson?> done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            string asked = running[done];
            running.Remove(done);
            LinkStatusJson? status = null;
            try
            {
                status = await done.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                timedOut = true;
            }
            if (status is not null && status.Address == asked)
            {
                Accept(status);
            }
            else
            {
                unreachable.Add(asked);
                if (status is not null)
                {
                    Discover(status.Address);   // another node answered for it: crawl that one under its own name
                }
            }
            progress?.Report(new CrawlProgress(answered.Count, running.Count));
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (pending.Count > 0)
        {
            timedOut = true;
            unreachable.AddRange(pending);
        }

        List<LinkStatusJson> nodes = [.. answered.Values.OrderBy(n => Address.TryParse(n.Address, out Address a) ? a : Address.Zero)];
        unreachable.Sort(StringComparer.Ordinal);
        return new CrawlResult(nodes, unreachable, time.GetElapsedTime(started), timedOut);

        void Accept(LinkStatusJson status)
        {
            answered[status.Address] = status;
            foreach (ConnectionJson connection in status.Connections)
            {
                Discover(connection.Address);
            }
            foreach (string address in status.Right.Concat(status.Left))
            {
                Discover(address);
            }
        }

        void Discover(string address)
        {
            if (seen.Add(address))
            {
                pending.Enqueue(address);
            }
        }
    }
}
