using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Dht;
using Brunet.Messaging.Rpc;
using Brunet.Security;

namespace Brunet.Node;

/// <summary>Runs a DHT on an overlay node: the node's loop, RPC, link table and key.</summary>
public sealed class DhtHost : IDhtHost
{
    private readonly OverlayNode _node;

    public DhtHost(OverlayNode node)
    {
        _node = node;
        Signer = new IdentitySigner(node.Identity);
        node.ConnectionsChanged += _ => ConnectionsChanged?.Invoke();
    }

    public Address Address => _node.Address;

    public IDhtSigner Signer { get; }

    public TimeProvider Time => _node.Loop.Time;

    public ConnectionTable Connections => _node.Connections;

    public event Action? ConnectionsChanged;

    public void Post(Action work) => _node.Loop.Post(work);

    public void RegisterRpc(string method, RpcHandler handler) => _node.Rpc.Register(method, handler);

    public void Call(RpcTarget target, string method, ReadOnlySpan<byte> body, Action<RpcResult> callback, int? maxResends = null) =>
        _node.Rpc.Call(target, method, body, callback, maxResends);

    /// <summary>Starts a DHT on <paramref name="node"/> (records in SQLite at <paramref name="databasePath"/>, or in memory).</summary>
    public static async Task<DhtNode> StartAsync(OverlayNode node, string? databasePath, DhtOptions? options = null)
    {
        var host = new DhtHost(node);
        // Records travel in RPC messages over secure edges: keep a batch inside one overlay datagram.
        options ??= new DhtOptions();
        options = options with { MaxBatchBytes = Math.Min(options.MaxBatchBytes, OverlayNode.MaxControlPayload - 256) };
        var dht = new DhtNode(host, options, databasePath);
        await node.InvokeAsync(() =>
        {
            dht.Start();
            return true;
        }).ConfigureAwait(false);
        return dht;
    }

    private sealed class IdentitySigner(NodeIdentity identity) : IDhtSigner
    {
        public Address Address => identity.Address;

        public ReadOnlyMemory<byte> SigningPublicKey => identity.SigningPublicKey;

        public byte[] Sign(ReadOnlySpan<byte> data) => identity.Sign(data);
    }
}
