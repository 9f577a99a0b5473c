using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging.Rpc;

namespace Brunet.Dht;

/// <summary>
/// What the DHT needs of the overlay node it runs in. The node implements it; tests fake it. Every callback and
/// event arrives on the node loop, the single-threaded owner of node state, so the DHT keeps its state without locks.
/// </summary>
public interface IDhtHost
{
    Address Address { get; }

    IDhtSigner Signer { get; }

    TimeProvider Time { get; }

    /// <summary>Runs <paramref name="work"/> on the node loop, after what is already queued.</summary>
    void Post(Action work);

    void RegisterRpc(string method, RpcHandler handler);

    /// <summary>
    /// A routed (closest mode: delivered to the node nearest the address) or direct call; <paramref name="callback"/>
    /// runs once on the loop with the answer, an error or a timeout.
    /// </summary>
    void Call(RpcTarget target, string method, ReadOnlySpan<byte> body, Action<RpcResult> callback, int? maxResends = null);

    ConnectionTable Connections { get; }

    /// <summary>Raised on the loop when <see cref="Connections"/> was replaced.</summary>
    event Action? ConnectionsChanged;
}
