using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>Makes the two listeners of one <see cref="EdgeContractTests{TFactory}"/> test, able to reach each other.</summary>
public interface IEdgeListenerPairFactory
{
    /// <summary>Every datagram arrives, in order (TCP, memory); false for UDP.</summary>
    bool IsReliable { get; }

    /// <summary>Closing one end tells the other (TCP FIN, the memory close notice); false for UDP.</summary>
    bool PeerHearsClose { get; }

    (IEdgeListener Client, IEdgeListener Server) Create();
}
