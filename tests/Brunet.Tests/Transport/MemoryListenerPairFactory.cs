using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>Two listeners on a fresh network with the default (thread-pool) scheduler and no latency.</summary>
public sealed class MemoryListenerPairFactory : IEdgeListenerPairFactory
{
    public bool IsReliable => true;

    public bool PeerHearsClose => true;

    public (IEdgeListener Client, IEdgeListener Server) Create()
    {
        var network = new MemoryNetwork();
        return (network.CreateListener("client"), network.CreateListener("server"));
    }
}
