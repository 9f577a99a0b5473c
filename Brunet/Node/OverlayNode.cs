using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Linking.Tunnel;
using Brunet.Messaging.Rpc;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brunet.Node;

/// <summary>
/// One overlay node: its edge listeners, secure edges, link table, routing and RPC, and the policies that keep it
/// in the ring (leaf, near, shortcut links, liveness). All state is owned by <see cref="Loop"/>; transports call in
/// from their threads and post work there. Routing of transit packets reads the immutable table snapshot and runs
/// on the transport thread.
/// </summary>
public sealed partial class OverlayNode : IAsyncDisposable
{
    private readonly IReadOnlyList<IEdgeListener> _listeners;
    private readonly TunnelEdgeListener _tunnel;
    private readonly ILogger _logger;
    private HandshakeOptions _handshake;
    private readonly Random _random;
    private readonly HashSet<PeerEdge> _edges = [];
    private readonly Dictionary<string, LinkAttempt> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<Address, long> _failedPeers = [];
    private readonly Dictionary<string, (long NextTry, TimeSpan Backoff)> _leafBackoff = new(StringComparer.Ordinal);
    private readonly List<TransportAddress> _observed = [];
    private ConnectionTable _table;
    private ITimer? _timer;
    private long _nextStabilize;
    private long _nextShortcut;
    private int _stabilizeRound;
    private bool _joinedReported;
    private int _state;     // 0 new, 1 running, 2 stopped

    public OverlayNode(
        NodeIdentity identity,
        string brunetNamespace,
        IReadOnlyList<IEdgeListener> listeners,
        IReadOnlyList<TransportAddress> remoteAddresses,
        INodeLoop loop,
        NodeOptions? options = null,
        ILogger? logger = null,
        int? randomSeed = null)
    {
        Identity = identity;
        Namespace = brunetNamespace;
        _listeners = listeners;
        _tunnel = new TunnelEdgeListener(this);
        RemoteAddresses = remoteAddresses;
        Loop = loop;
        Options = options ?? new NodeOptions();
        _logger = logger ?? NullLogger.Instance;
        _random = randomSeed is { } seed ? new Random(seed) : new Random();
        _table = ConnectionTable.Empty(identity.Address);
        _handshake = new HandshakeOptions(brunetNamespace) { MaxDatagramSize = MaxEdgeDatagramSize };
        Rpc = new RpcManager(new Sender(this), loop.Time, Options.Rpc);
        RegisterBuiltInMethods();
    }

    /// <summary>
    /// Largest encrypted datagram on an edge. Data packets (a 1200-byte virtual MTU) stay under one Ethernet frame;
    /// control messages (DHT batches) may reach this size and then ride IP fragmentation, as Brunet's did.
    /// </summary>
    public const int MaxDatagramSize = 4096;

    /// <summary>
    /// Largest encrypted datagram a direct edge carries: UDP's 65,000, so a large virtual MTU (up to about 64,000)
    /// crosses in one datagram, which the IP layer fragments on a smaller path. Control traffic stays within
    /// <see cref="MaxDatagramSize"/>, and so do relay edges.
    /// </summary>
    public const int MaxEdgeDatagramSize = 65_000;

    /// <summary>Largest RPC payload that fits one routed frame.</summary>
    public const int MaxControlPayload = MaxDatagramSize - SecureEdge.TransportOverhead - 1 - Messaging.RoutedHeader.Size - 80;

    public NodeIdentity Identity { get; }

    public Address Address => Identity.Address;

    public string Namespace { get; }

    public INodeLoop Loop { get; }

    public NodeOptions Options { get; }

    /// <summary>Request/reply over the overlay. Use it on <see cref="Loop"/> only (or through <see cref="CallAsync"/>).</summary>
    public RpcManager Rpc { get; }

    /// <summary>Bootstrap addresses (the config's RemoteTAs).</summary>
    public IReadOnlyList<TransportAddress> RemoteAddresses { get; }

    /// <summary>The current link table; any thread may read it.</summary>
    public ConnectionTable Connections => Volatile.Read(ref _table);

    public NodeCounters Counters { get; } = new();

    /// <summary>True once the node has a near link on each side.</summary>
    public bool IsJoined { get; private set; }

    /// <summary>Raised on the loop when the node first has near links on both sides.</summary>
    public event Action<OverlayNode>? Joined;

    /// <summary>Raised on the loop whenever the link table changes.</summary>
    public event Action<OverlayNode>? ConnectionsChanged;

    /// <summary>The secure edges open now (linked or not), for status and the crawler.</summary>
    public int EdgeCount => _edges.Count;

    /// <summary>Test hook: the node claims this address in its handshakes (a key that does not match its address).</summary>
    internal Address? ClaimedAddressOverride
    {
        get => _handshake.ClaimedAddressOverride;
        set => _handshake = _handshake with { ClaimedAddressOverride = value };
    }

    /// <summary>Test hook (issue E): when set, link status replies report this as the left neighbour.</summary>
    internal Address? LieAboutLeft { get; set; }

    /// <summary>Where this node can be reached: addresses peers saw us at first, then local interface addresses.</summary>
    public IReadOnlyList<TransportAddress> TransportAddresses { get; private set; } = [];

    /// <summary>
    /// Adjusts the handshake before <see cref="Start"/>: a certificate to present, a check of each peer's
    /// (<see cref="HandshakeOptions.Authorize"/>), as a private overlay or the GroupVPN needs.
    /// </summary>
    public void ConfigureHandshake(Func<HandshakeOptions, HandshakeOptions> configure)
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new InvalidOperationException("Configure the handshake before starting the node.");
        }
        _handshake = configure(_handshake) with { Namespace = Namespace, MaxDatagramSize = MaxEdgeDatagramSize };
    }

    /// <summary>Starts the listeners and the maintenance timer, then dials the bootstrap addresses.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The node has already been started.");
        }
        foreach (IEdgeListener listener in _listeners)
        {
            listener.Start(AcceptEdge);
        }
        _tunnel.Start(AcceptEdge);
        TransportAddresses = ComputeLocalAddresses();
        NodeLog.NodeStarted(_logger, Address.ToString(), string.Join(' ', TransportAddresses));
        Action tick = Tick;   // one delegate for every tick
        _timer = Loop.Time.CreateTimer(_ => Loop.Post(tick), null, Options.TickInterval, Options.TickInterval);
        Loop.Post(Tick);
    }

    /// <summary>Calls an RPC from any thread; the call itself runs on the loop.</summary>
    public Task<RpcResult> CallAsync(RpcTarget target, string method, byte[] body, int? maxResends = null)
    {
        var completion = new TaskCompletionSource<RpcResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop.Post(() =>
        {
            if (_state != 1)
            {
                completion.TrySetResult(new RpcResult(RpcError.Unreachable, "node stopped", [], target.Address, TimeSpan.Zero));
                return;
            }
            Rpc.Call(target, method, body, result => completion.TrySetResult(result), maxResends);
        });
        return completion.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the loop and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop.Post(() =>
        {
            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        });
        return completion.Task;
    }

    /// <summary>
    /// Leaves the ring cleanly: tells every linked peer (with our near neighbours, so they can close the gap at once),
    /// then closes edges and listeners.
    /// </summary>
    public async Task LeaveAsync()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }
        await InvokeAsync(() =>
        {
            SayGoodbye();
            return true;
        }).ConfigureAwait(false);
        await ShutdownAsync().ConfigureAwait(false);
        NodeLog.NodeLeft(_logger, Address.ToString());
    }

    /// <summary>Test hook: the node vanishes without a word, as when its host dies.</summary>
    internal async Task CrashAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }
        await ShutdownAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Simulator hook: the node stops at once, silently, on the calling thread (the virtual scheduler's): no timer, no
    /// messages. Pair it with <see cref="MemoryNetwork.Crash"/> so its edges vanish too.
    /// </summary>
    internal void Halt()
    {
        Interlocked.Exchange(ref _state, 2);
        _timer?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await LeaveAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _state, 2) != 2)
        {
            await ShutdownAsync().ConfigureAwait(false);
        }
    }

    private async Task ShutdownAsync()
    {
        _timer?.Dispose();
        await StopBirthdaysAsync().ConfigureAwait(false);
        foreach (IEdgeListener listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
        await _tunnel.DisposeAsync().ConfigureAwait(false);
        await InvokeAsync(() =>
        {
            foreach (PeerEdge edge in _edges.ToArray())
            {
                edge.Close("node stopped");
            }
            Rpc.FailAll("node stopped");
            return true;
        }).ConfigureAwait(false);
    }

    private List<TransportAddress> ComputeLocalAddresses()
    {
        var result = new List<TransportAddress>();
        foreach (IEdgeListener listener in _listeners)
        {
            TransportAddress local = listener.LocalAddress;
            if (local.EndPoint is not { } endPoint || !(endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)))
            {
                result.Add(local);
                continue;
            }
            // Bound to every interface: advertise each IPv4 address, loopback last (useful only on this host).
            foreach (IPAddress ip in LocalIPv4Addresses())
            {
                var bound = new IPEndPoint(ip, endPoint.Port);
                result.Add(local.Kind == TransportKind.Tcp ? TransportAddress.Tcp(bound) : TransportAddress.Udp(bound));
            }
        }
        // UDP first: it is the main transport, TCP the fallback.
        return [.. result.OrderBy(a => a.Kind == TransportKind.Udp ? 0 : 1).ThenBy(a => a.EndPoint is { } e && IPAddress.IsLoopback(e.Address) ? 1 : 0)];
    }

    private static List<IPAddress> LocalIPv4Addresses()
    {
        var addresses = new List<IPAddress>();
        try
        {
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
                {
                    continue;
                }
                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                    {
                        addresses.Add(unicast.Address);
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Some sandboxes hide the interface list; loopback below still lets local nodes find each other.
        }
        if (!addresses.Any(IPAddress.IsLoopback))
        {
            addresses.Add(IPAddress.Loopback);
        }
        return addresses;
    }

    /// <summary>True when <paramref name="address"/> is one of our own listeners (a RemoteTA that points at us).</summary>
    private bool IsOwnAddress(TransportAddress address)
    {
        if (TransportAddresses.Contains(address))
        {
            return true;
        }
        foreach (IEdgeListener listener in _listeners)
        {
            if (listener.LocalAddress == address)
            {
                return true;
            }
            if (listener.Kind == address.Kind && listener.LocalAddress.EndPoint is { } mine && address.EndPoint is { } other
                && mine.Port == other.Port && (IPAddress.IsLoopback(other.Address) || mine.Address.Equals(other.Address)))
            {
                return true;
            }
        }
        return false;
    }

    private sealed class Sender(OverlayNode node) : IRpcSender
    {
        public bool Send(in RpcTarget target, ReadOnlySpan<byte> payload) => node.SendPayload(target, payload);
    }
}
