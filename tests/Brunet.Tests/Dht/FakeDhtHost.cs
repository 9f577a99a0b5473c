using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Dht;
using Brunet.Messaging.Rpc;

namespace Brunet.Tests.Dht;

/// <summary>One node of the fake network: a real <see cref="RpcManager"/> over the network's deterministic queue.</summary>
internal sealed class FakeDhtHost : IDhtHost, IRpcSender
{
    private readonly FakeDhtNetwork _network;

    public FakeDhtHost(FakeDhtNetwork network, IDhtSigner signer, string? databasePath)
    {
        _network = network;
        Signer = signer;
        Address = signer.Address;
        DatabasePath = databasePath;
        Connections = ConnectionTable.Empty(Address);
        Rpc = new RpcManager(this, network.Time, new RpcOptions
        {
            MinTimeout = TimeSpan.FromSeconds(1),
            MaxTimeout = TimeSpan.FromSeconds(2),
            MaxResends = 1,
        });
    }

    public event Action? ConnectionsChanged;

    public Address Address { get; }

    public IDhtSigner Signer { get; }

    public TimeProvider Time => _network.Time;

    public ConnectionTable Connections { get; set; }

    public RpcManager Rpc { get; private set; }

    public DhtNode Dht { get; set; } = null!;

    public string? DatabasePath { get; }

    public bool IsAlive { get; set; } = true;

    public void Post(Action work) => _network.Enqueue(() =>
    {
        if (IsAlive)
        {
            work();
        }
    });

    public void RegisterRpc(string method, RpcHandler handler) => Rpc.Register(method, handler);

    public void Call(RpcTarget target, string method, ReadOnlySpan<byte> body, Action<RpcResult> callback, int? maxResends = null) =>
        Rpc.Call(target, method, body, callback, maxResends);

    public bool Send(in RpcTarget target, ReadOnlySpan<byte> payload) => _network.Send(this, target, payload);

    public void RaiseConnectionsChanged() => ConnectionsChanged?.Invoke();

    /// <summary>A fresh RPC layer for a restarted node (the old one's pending calls died with it).</summary>
    public void ResetRpc() => Rpc = new RpcManager(this, _network.Time, new RpcOptions
    {
        MinTimeout = TimeSpan.FromSeconds(1),
        MaxTimeout = TimeSpan.FromSeconds(2),
        MaxResends = 1,
    });
}
