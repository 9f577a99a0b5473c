using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Brunet.Config;
using Brunet.Control;
using Brunet.Dht;
using Brunet.Messaging;
using Brunet.Node;
using Brunet.Security;
using Brunet.Transport;
using Ipop.Dhcp.Config;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;
using Ipop.Dht.Leases;
using Ipop.Dht.PacketPath;
using Ipop.Dht.Resolution;
using Ipop.Dht.Security;
using Ipop.Dht.Tap;
using Microsoft.Extensions.Logging;

namespace Ipop.Dht.Cli;

/// <summary>
/// <c>groupvpn run --etc DIR</c>: one GroupVPN node in the foreground. Joins the overlay (node.config), opens the TAP,
/// leases a virtual IP through the DHT (ipop.config, dhcp.config) and carries IP traffic until SIGINT/SIGTERM.
/// </summary>
internal static class GroupVpnNode
{
    public const string NodeConfigName = "node.config";
    public const string IpopConfigName = "ipop.config";

    /// <summary>
    /// How long the TAP reader waits for room in a full UDP send queue before it drops a packet: long enough for the
    /// send thread's next batch, short against TCP's retransmit timer.
    /// </summary>
    private const int SendFullWaitMilliseconds = 20;

    /// <summary>How long the TAP reader polls the UDP socket after it sent, for a reply, before it sleeps.</summary>
    private static readonly TimeSpan s_busyPoll = TimeSpan.FromMilliseconds(1);
    public const string DhcpConfigName = "dhcp.config";

    // 4 MiB of socket buffer each way: a burst of a few thousand VPN packets waits instead of being dropped.
    private const int SocketBufferSize = 4 << 20;

    /// <summary>How long the lease waits for the node to join the ring before trying anyway.</summary>
    private static readonly TimeSpan s_joinWait = TimeSpan.FromSeconds(10);

    /// <exception cref="ConfigException">node.config, ipop.config or dhcp.config is bad.</exception>
    /// <param name="mtu">The virtual network's MTU: the TAP's and what DHCP offers (option 26). Null: 1200, Brunet's.</param>
    public static async Task<int> RunAsync(string etc, bool verbose, TextWriter stdout, TextWriter stderr, int? mtu = null)
    {
        NodeConfig nodeConfig = NodeConfigLoader.Load(Path.Combine(etc, NodeConfigName));
        IpopConfig ipop = IpopConfigLoader.Load(Path.Combine(etc, IpopConfigName));
        DhcpConfig dhcp = DhcpConfigLoader.Load(Path.Combine(etc, DhcpConfigName));
        foreach (string warning in nodeConfig.Warnings.Concat(ipop.Warnings).Concat(dhcp.Warnings))
        {
            await stderr.WriteLineAsync($"groupvpn: warning: {warning}").ConfigureAwait(false);
        }
        if (!string.Equals(ipop.IpopNamespace, dhcp.Namespace, StringComparison.Ordinal))
        {
            throw new ConfigException(dhcp.FilePath, "DHCPConfig/Namespace",
                $"the same namespace as {ipop.FilePath}'s IpopNamespace '{ipop.IpopNamespace}', got '{dhcp.Namespace}'");
        }
        IPAddress? staticAddress = null;
        if (ipop.AllowStaticAddresses && ipop.StaticAddress is { } configured)
        {
            var check = AddressPool.FromConfig(dhcp, new Random());
            if (!check.Contains(configured) || configured.Equals(check.Network) || configured.Equals(check.Gateway) || configured.Equals(check.Broadcast))
            {
                throw new ConfigException(ipop.FilePath, "IpopConfig/StaticAddress",
                    $"a host address inside {dhcp.IPBase}/{dhcp.PrefixLength} (not network, gateway or broadcast), got {configured}");
            }
            staticAddress = configured;
        }
        if (!Capabilities.CanAdministerNetwork())
        {
            await stderr.WriteLineAsync($"groupvpn: run needs root (CAP_NET_ADMIN) to create the TAP device {ipop.VirtualNetworkDevice}").ConfigureAwait(false);
            return 2;
        }

        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddFilter(level => level >= (verbose ? LogLevel.Debug : LogLevel.Information))
            .AddFilter("Brunet", level => level >= (verbose ? LogLevel.Debug : LogLevel.Information))
            .AddFilter("Microsoft", level => level >= LogLevel.Warning));
        using NodeIdentity identity = NodeSetup.LoadIdentity(nodeConfig);
        IGroupPolicy policy = GroupPolicies.Load(ipop, identity);
        if (GroupPolicies.NamespaceWarning(policy, ipop.IpopNamespace) is { } namespaceWarning)
        {
            await stderr.WriteLineAsync($"groupvpn: warning: {namespaceWarning}").ConfigureAwait(false);
        }

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

        int virtualMtu = mtu ?? TapDevice.DefaultMtu;
        using TapDevice tap = TapDevice.Open(ipop.VirtualNetworkDevice, virtualMtu, offload: Environment.GetEnvironmentVariable("GROUPVPN_TAP_OFFLOAD") != "0");
        // The UDP listener carries the VPN's packets: its own receive and send threads, batched system calls.
        List<IEdgeListener> listeners = NodeSetup.CreateListeners(nodeConfig, ephemeralPorts: false, loggers,
            new UdpEdgeListenerOptions { DedicatedThreads = true, SocketReceiveBufferSize = SocketBufferSize, SocketSendBufferSize = SocketBufferSize });
        var loop = new SerialLoop(TimeProvider.System, loggers.CreateLogger<OverlayNode>());
        var node = new OverlayNode(identity, nodeConfig.BrunetNamespace, listeners, nodeConfig.RemoteTAs, loop, NodeOptions.For(nodeConfig),
            loggers.CreateLogger<OverlayNode>());
        if (policy.IsPrivate)
        {
            node.ConfigureHandshake(h => h with { LocalCertificate = policy.LocalCertificate });
        }
        // Super-frames (GROUPVPN_SUPERFRAMES=0 turns them off): a TSO frame from the host crosses a direct UDP edge as
        // one AEAD message in several datagrams, and reaches the peer's host as one GSO frame. Both ends must say so.
        bool superFrames = tap.Offload && Environment.GetEnvironmentVariable("GROUPVPN_SUPERFRAMES") != "0";
        node.ConfigureHandshake(h => h with { AcceptSuperFrames = superFrames });
        tap.WholeTso = superFrames;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Joined += _ => joined.TrySetResult();
        node.Start();
        // The node keeps its share of the DHT in SQLite in its etc folder, so a restarted host still serves it.
        DhtNode dht = await DhtHost.StartAsync(node, Path.Combine(etc, "dht.db")).ConfigureAwait(false);

        var store = new DhtLeaseStore(dht, policy.LeaseCredential);
        var pool = AddressPool.FromConfig(dhcp, new Random());
        var resolver = new LeaseResolver(store, ipop.IpopNamespace, TimeProvider.System, loggers.CreateLogger<LeaseResolver>(), policy);
        using var allocator = new DhtAddressAllocator(store, ipop.IpopNamespace, pool, node.Address.ToString(),
            TimeSpan.FromSeconds(dhcp.LeaseTime), Path.Combine(etc, LeaseFile.DefaultFileName), staticAddress, TimeProvider.System,
            loggers.CreateLogger<DhtAddressAllocator>(), policy);
        DhcpServer? server = staticAddress is null
            ? new DhcpServer(DhcpServerOptions.FromConfig(dhcp, pool) with { Mtu = (ushort)virtualMtu }, allocator)
            : null;
        var path = new VpnPacketPath(tap, new OverlayPort(node), resolver, server, pool, policy, TimeProvider.System,
            loggers.CreateLogger<VpnPacketPath>());
        node.SetPayloadHandler(PayloadType.IpPacket, path.OnOverlayPacket);
        node.SetPayloadHandler(PayloadType.IpGsoPacket, path.OnOverlayGsoPacket);
        path.UseHostReader(buffer =>
        {
            int length = tap.TryReadFrame(buffer);
            // The segments of one TSO frame but the last stay in the UDP queue and leave together (GSO).
            UdpEdgeListener.Corked = tap.HasPendingSegments;
            return length;
        }, superFrames ? tap : null);
        // Busy polling (GROUPVPN_BUSY_POLL=0 turns it off): replies are handled by the thread that is awake.
        bool busyPoll = Environment.GetEnvironmentVariable("GROUPVPN_BUSY_POLL") != "0";
        path.DrainAfterInbound = busyPoll;
        path.SendFullWaitMilliseconds = SendFullWaitMilliseconds;
        UdpEdgeListener? dataListener = busyPoll ? listeners.OfType<UdpEdgeListener>().FirstOrDefault() : null;
        Func<int>? pollOverlay = dataListener is null ? null : dataListener.PollReceive;
        path.Dns = new DnsOnTap(new Dns.DnsResponder(new DhtHostResolver(store, ipop.IpopNamespace, policy)), tap.Write,
            Ipv4Math.ToUInt32(pool.Gateway));
        foreach (UdpEdgeListener udp in listeners.OfType<UdpEdgeListener>())
        {
            // TCP segments from one recvmmsg batch reach the TAP as one GSO frame (software GRO).
            udp.ReceiveBatchStarted = path.BeginInboundBatch;
            udp.ReceiveBatchEnded = path.EndInboundBatch;
        }
        node.ConnectionsChanged += _ => path.OnConnectionsChanged();
        // In a private group the certificate names the host; else the config, else the machine.
        string hostName = (policy as GroupMembership)?.HostName ?? ipop.Hostname ?? Environment.MachineName;
        var publisher = new HostNamePublisher(store, ipop.IpopNamespace, hostName, TimeSpan.FromSeconds(dhcp.LeaseTime), TimeProvider.System,
            loggers.CreateLogger<HostNamePublisher>());
        RevocationSync? revocations = policy is GroupMembership membership
            ? new RevocationSync(new DhtRevocationStore(dht), membership, TimeProvider.System, loggers.CreateLogger<RevocationSync>())
            : null;
        allocator.LeaseChanged += publisher.OnLeaseChanged;
        allocator.LeaseChanged += address =>
        {
            node.VirtualIp = address?.ToString();
            stdout.WriteLine(address is null ? "groupvpn: no virtual IP" : $"groupvpn: virtual IP {address} ({LeaseKeys.For(ipop.IpopNamespace, address)})");
        };

        ControlEndpoint? control = null;
        if (nodeConfig.ControlEndpoint.Enabled)
        {
            try
            {
                control = await ControlEndpoint.StartAsync(node, nodeConfig.ControlEndpoint.Port).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await node.LeaveAsync().ConfigureAwait(false);
                await dht.DisposeAsync().ConfigureAwait(false);
                throw new ConfigException(nodeConfig.FilePath, "NodeConfig/ControlEndpoint/Port",
                    $"cannot listen on 127.0.0.1:{nodeConfig.ControlEndpoint.Port}: {e.Message}");
            }
            control.Dht = new ControlDht(dht);
            control.ExtraStatus = () => new Dictionary<string, string?>
            {
                ["virtual_ip"] = allocator.Current?.ToString(),
                ["lease_remaining_s"] = allocator.Remaining is { } left ? Math.Max(0, left.TotalSeconds).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : null,
                ["host_name"] = $"{hostName}.{Dns.DnsResponder.Suffix}",
                ["group"] = policy.GroupName,
            };
            control.ExtraMetrics = () =>
            {
                var text = new StringBuilder();
                path.Counters.WriteMetrics(text);
                DataPathMetrics.Write(text, tap, listeners, node);
                ControlEndpoint.Counter(text, "groupvpn_resolver_lookups_total", "DHT lookups of virtual IPs (cache misses).", resolver.Lookups);
                return text.ToString();
            };
        }
        await stdout.WriteLineAsync($"groupvpn: {TimeProvider.System.GetUtcNow():HH:mm:ss.fff} node {node.Address} on {tap.Name} ({tap.Mac}), namespace {ipop.IpopNamespace}"
            + (policy.IsPrivate ? $", group {policy.GroupName}" : ", open")).ConfigureAwait(false);

        // One thread reads the TAP and carries each packet through lookup, seal and the UDP queue inline.
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = new Thread(() =>
        {
            try
            {
                path.RunPolled(tap.WaitReadable, pollOverlay, s_busyPoll);
                reading.TrySetResult();
            }
            catch (Exception e)
            {
                reading.TrySetException(e);
            }
        })
        { IsBackground = true, Name = "tap-read " + tap.Name };
        reader.Start();
        Task leasing = LeaseAsync(allocator, joined.Task, stop.Token);
        Task naming = publisher.RunAsync(stop.Token);
        Task revoking = revocations?.RunAsync(stop.Token) ?? Task.CompletedTask;
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // SIGINT or SIGTERM
        }
        await stderr.WriteLineAsync("groupvpn: stopping").ConfigureAwait(false);
        tap.Dispose();     // wakes the reader thread, waits for it to leave
        await AwaitStopped(reading.Task).ConfigureAwait(false);
        await AwaitStopped(leasing).ConfigureAwait(false);
        await AwaitStopped(naming).ConfigureAwait(false);
        await AwaitStopped(revoking).ConfigureAwait(false);
        if (control is not null)
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }
        // The lease stays in the DHT until it expires: a restart within the lease gets the same address back.
        await node.LeaveAsync().ConfigureAwait(false);
        await dht.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task LeaseAsync(DhtAddressAllocator allocator, Task joined, CancellationToken cancellationToken)
    {
        await Task.WhenAny(joined, Task.Delay(s_joinWait, cancellationToken)).ConfigureAwait(false);
        await allocator.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task AwaitStopped(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the normal end of a loop on stop
        }
    }
}
