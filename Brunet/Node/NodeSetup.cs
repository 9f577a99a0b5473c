using System.Net;
using Brunet.Config;
using Brunet.Security;
using Brunet.Transport;
using Microsoft.Extensions.Logging;

namespace Brunet.Node;

/// <summary>What every command that runs a node does first: the identity from the key file, and the listeners.</summary>
public static class NodeSetup
{
    /// <summary>
    /// Loads the node's key (making it on first run), checks it against the config's NodeAddress, and fills
    /// NodeAddress in on first run. Throws <see cref="ConfigException"/> or <see cref="KeyFileException"/>.
    /// </summary>
    public static NodeIdentity LoadIdentity(NodeConfig config)
    {
        NodeIdentity identity = NodeIdentity.LoadOrCreate(config.Security.KeyPath);
        NodeConfigLoader.EnsureNodeAddressMatches(config, identity.Address);
        if (config.NodeAddress is null)
        {
            NodeConfigLoader.FillNodeAddress(config.FilePath, identity.Address);
        }
        return identity;
    }

    /// <summary>
    /// A private overlay (NodeConfig Security/AuthorityCertificate and Certificate): the node presents its member
    /// certificate in every handshake and refuses peers without a valid one from the same authority. Returns the
    /// trust, or null for an open overlay. Call before <see cref="OverlayNode.Start"/>.
    /// </summary>
    public static Security.Certificates.GroupTrust? ApplyOverlaySecurity(OverlayNode node, NodeConfig config)
    {
        Security.Certificates.GroupTrust? trust = Security.Certificates.GroupTrust.LoadForOverlay(config.Security, node.Identity);
        if (trust is not null)
        {
            node.ConfigureHandshake(h => h with { LocalCertificate = trust.LocalCertificate, Authorize = trust.Check });
        }
        return trust;
    }

    /// <summary>
    /// The config's edge listeners; with <paramref name="ephemeralPorts"/> each binds port 0 on the same address
    /// (the extra nodes of run_bootstrap_node).
    /// </summary>
    public static List<IEdgeListener> CreateListeners(NodeConfig config, bool ephemeralPorts, ILoggerFactory loggers,
        UdpEdgeListenerOptions? udpOptions = null)
    {
        var listeners = new List<IEdgeListener>();
        try
        {
            foreach (EdgeListenerConfig listener in config.EdgeListeners)
            {
                var bind = new IPEndPoint(listener.BindAddress, ephemeralPorts ? 0 : listener.Port);
                listeners.Add(listener.Kind switch
                {
                    TransportKind.Udp => new UdpEdgeListener(bind, loggers.CreateLogger<UdpEdgeListener>(), udpOptions),
                    TransportKind.Tcp => new TcpEdgeListener(bind, loggers.CreateLogger<TcpEdgeListener>()),
                    _ => throw new ConfigException(config.FilePath, "NodeConfig/EdgeListeners/EdgeListener", $"type {listener.Kind} cannot listen"),
                });
            }
        }
        catch
        {
            foreach (IEdgeListener made in listeners)
            {
                made.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            throw;
        }
        return listeners;
    }
}
