using System.Runtime.InteropServices;
using Brunet.Config;
using Brunet.Control;
using Brunet.Dht;
using Brunet.Nat;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging;

namespace Brunet.Bootstrap;

/// <summary>
/// N nodes in one process (CONTRACT.md): node 0 is the config's node (its key, ports and control endpoint); nodes
/// 1..N-1 get fresh in-memory keys, bind ephemeral ports on the same addresses and join through node 0 and the
/// config's RemoteTAs.
/// </summary>
internal static class BootstrapProcess
{
    public static async Task<int> RunAsync(string configPath, int count, bool verbose)
    {
        NodeConfig config = NodeConfigLoader.Load(configPath);
        foreach (string warning in config.Warnings)
        {
            Console.Error.WriteLine($"run_bootstrap_node: warning: {warning}");
        }
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter(level => level >= (verbose ? LogLevel.Debug : LogLevel.Warning)));
        ILogger logger = loggers.CreateLogger("run_bootstrap_node");
        NodeIdentity identity = NodeSetup.LoadIdentity(config);

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        var nodes = new List<OverlayNode>(count);
        var loggerForNodes = loggers.CreateLogger<OverlayNode>();
        var joinedLock = new Lock();
        OverlayNode first = CreateNode(identity, config, ephemeral: false, config.RemoteTAs, loggers, loggerForNodes);
        if (NodeSetup.ApplyOverlaySecurity(first, config) is not null && count > 1)
        {
            // The extra nodes have fresh keys and no certificates: a private overlay would refuse them.
            throw new ConfigException(config.FilePath, "NodeConfig/Security/Certificate",
                "a private overlay (with AuthorityCertificate and Certificate) runs one node per process: use -n 1");
        }
        nodes.Add(first);
        Announce(first, 0, joinedLock);
        first.Start();
        // Node 0 is the ring's first node when no RemoteTA leads anywhere else.
        if (config.RemoteTAs.All(ta => first.TransportAddresses.Contains(ta) || IsLocalPort(ta, first)))
        {
            PrintJoined(first, 0, joinedLock);
        }

        // Node 0 asks its gateway for a port mapping (PCP, NAT-PMP, UPnP) and advertises the mapped address; without
        // an answering gateway it gives up quietly after about 2 s.
        PortMapper? mapper = StartPortMapper(first, loggers.CreateLogger<PortMapper>());

        // The extra nodes join through node 0 on loopback (UDP first), then the config's other RemoteTAs.
        var remotes = first.TransportAddresses
            .Where(a => a.EndPoint is { } e && System.Net.IPAddress.IsLoopback(e.Address))
            .Concat(config.RemoteTAs.Where(ta => !IsLocalPort(ta, first)))
            .Distinct()
            .ToList();
        var random = new Random();
        for (int i = 1; i < count; i++)
        {
            // Each extra node first tries a random node started before it, then node 0: a thousand leaf handshakes
            // spread over the ring instead of all landing on node 0.
            IReadOnlyList<TransportAddress> through = remotes;
            if (i > 1 && nodes[1 + random.Next(i - 1)].TransportAddresses.FirstOrDefault(IsLoopbackUdp) is { } earlier)
            {
                through = [earlier, .. remotes];
            }
            OverlayNode node = CreateNode(NodeIdentity.Generate(), config, ephemeral: true, through, loggers, loggerForNodes);
            nodes.Add(node);
            Announce(node, i, joinedLock);
            node.Start();
            if (i % 16 == 0)
            {
                await Task.Delay(50, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);   // spread the joins a little
            }
        }

        // Every node holds a share of the DHT; node 0 keeps its records in SQLite beside its key, so a restarted
        // bootstrap process still serves them. The others are throwaway nodes with fresh keys: memory only.
        // Node 0's DHT and the control endpoint come first, so the crawler can watch the ring converge; the other
        // DHTs start all at once (one at a time, each waiting for its loop, took minutes on a busy thread pool).
        DhtNode firstDht = await DhtHost.StartAsync(first, Path.ChangeExtension(config.Security.KeyPath, ".dht.db")).ConfigureAwait(false);
        ControlEndpoint? control = null;
        if (config.ControlEndpoint.Enabled)
        {
            try
            {
                control = await ControlEndpoint.StartAsync(first, config.ControlEndpoint.Port).ConfigureAwait(false);
                control.Dht = new ControlDht(firstDht);
            }
            catch (IOException e)
            {
                await Task.WhenAll(nodes.Select(n => n.LeaveAsync())).ConfigureAwait(false);
                await firstDht.DisposeAsync().ConfigureAwait(false);
                throw new ConfigException(config.FilePath, "NodeConfig/ControlEndpoint/Port",
                    $"cannot listen on 127.0.0.1:{config.ControlEndpoint.Port}: {e.Message}");
            }
        }
        var dhts = new List<DhtNode>(nodes.Count) { firstDht };
        dhts.AddRange(await Task.WhenAll(nodes.Skip(1).Select(node => DhtHost.StartAsync(node, databasePath: null))).ConfigureAwait(false));

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (control is not null)
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }
        if (mapper is not null)
        {
            await mapper.DisposeAsync().ConfigureAwait(false);   // removes the mapping from the gateway
        }
        Console.Error.WriteLine($"run_bootstrap_node: leaving the ring ({nodes.Count} nodes)");
        await Task.WhenAll(nodes.Select(n => n.LeaveAsync())).ConfigureAwait(false);
        foreach (DhtNode dht in dhts)
        {
            await dht.DisposeAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static PortMapper? StartPortMapper(OverlayNode node, ILogger logger)
    {
        if (DefaultGateway.Find() is not { } gateway
            || node.TransportAddresses.FirstOrDefault(a => a.Kind == TransportKind.Udp)?.EndPoint is not { Port: > 0 } udp)
        {
            return null;
        }
        var mapper = new PortMapper(gateway, (ushort)udp.Port, logger: logger);
        mapper.Mapped += mapping => node.AddAdvertisedAddress(TransportAddress.Udp(mapping.External));
        _ = mapper.StartAsync();   // failures are logged by the mapper at debug level and end in null
        return mapper;
    }

    private static OverlayNode CreateNode(
        NodeIdentity identity, NodeConfig config, bool ephemeral, IReadOnlyList<TransportAddress> remotes, ILoggerFactory loggers, ILogger logger)
    {
        List<IEdgeListener> listeners = NodeSetup.CreateListeners(config, ephemeral, loggers);
        var loop = new SerialLoop(TimeProvider.System, logger);
        return new OverlayNode(identity, config.BrunetNamespace, listeners, remotes, loop, NodeOptions.For(config), logger);
    }

    private static void Announce(OverlayNode node, int index, Lock gate) =>
        node.Joined += n => PrintJoined(n, index, gate);

    private static readonly HashSet<int> s_printed = [];

    private static void PrintJoined(OverlayNode node, int index, Lock gate)
    {
        lock (gate)
        {
            if (!s_printed.Add(index))
            {
                return;
            }
            Console.WriteLine($"node {index} joined: {node.Address} {string.Join(' ', node.TransportAddresses)}");
        }
    }

    private static bool IsLoopbackUdp(TransportAddress address) =>
        address.Kind == TransportKind.Udp && address.EndPoint is { } e && System.Net.IPAddress.IsLoopback(e.Address);

    private static bool IsLocalPort(TransportAddress remote, OverlayNode node) =>
        remote.EndPoint is { } endPoint && System.Net.IPAddress.IsLoopback(endPoint.Address)
        && node.TransportAddresses.Any(a => a.Kind == remote.Kind && a.EndPoint?.Port == endPoint.Port);
}
