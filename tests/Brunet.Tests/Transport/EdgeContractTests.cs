using System.Buffers.Binary;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>What every edge transport promises (IEdge, IEdgeListener), run once per transport.</summary>
public abstract class EdgeContractTests<TFactory>
    where TFactory : IEdgeListenerPairFactory, new()
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private readonly TFactory _factory = new();
    private IEdgeListener _client = null!;
    private IEdgeListener _server = null!;
    private TaskCompletionSource<(IEdge Edge, RecordingHandler Handler)> _accepted = null!;

    [SetUp]
    public void SetUp()
    {
        (_client, _server) = _factory.Create();
        _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Start(edge =>
        {
            var handler = new RecordingHandler();
            _accepted.TrySetResult((edge, handler));
            return handler;
        });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public void LocalAddress_AfterBind_HasTheListenersKind()
    {
        Assert.That(_client.LocalAddress.Kind, Is.EqualTo(_client.Kind));
        Assert.That(_server.LocalAddress, Is.Not.EqualTo(_client.LocalAddress));
        Assert.That(TransportAddress.Parse(_server.LocalAddress.ToString()), Is.EqualTo(_server.LocalAddress), "text form round-trips");
    }

    [Test]
    public async Task Connect_ExchangeBothWays_PayloadsArriveIntact()
    {
        EdgePair pair = await ConnectAsync();

        Assert.That(pair.Client.TrySend([1, 2, 3]), Is.True);
        Assert.That(pair.Server.TrySend([4, 5]), Is.True);
        await pair.ServerHandler.WaitForCountAsync(1).WaitAsync(s_timeout);
        await pair.ClientHandler.WaitForCountAsync(1).WaitAsync(s_timeout);

        Assert.That(pair.ServerHandler.Datagrams[0], Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(pair.ClientHandler.Datagrams[0], Is.EqualTo(new byte[] { 4, 5 }));
        Assert.That(pair.Client.IsInbound, Is.False);
        Assert.That(pair.Server.IsInbound, Is.True);
        Assert.That(pair.Client.RemoteAddress, Is.EqualTo(_server.LocalAddress));
        Assert.That(pair.Client.LocalAddress, Is.EqualTo(_client.LocalAddress));
        Assert.That(pair.Server.LocalAddress, Is.EqualTo(_server.LocalAddress));
        Assert.That(pair.Server.RemoteAddress.Kind, Is.EqualTo(_server.Kind));
        Assert.That(pair.Client.Kind, Is.EqualTo(_client.Kind));
        Assert.That(pair.Client.IsClosed || pair.Server.IsClosed, Is.False);
    }

    [Test]
    public async Task TrySend_OneByteAndMaxSize_ArriveIntactBothWays()
    {
        EdgePair pair = await ConnectAsync();
        byte[] large = new byte[_client.MaxDatagramSize];
        new Random(7).NextBytes(large);
        byte[] largeBack = new byte[_server.MaxDatagramSize];
        new Random(8).NextBytes(largeBack);

        Assert.That(pair.Client.TrySend([0x42]), Is.True);
        Assert.That(pair.Client.TrySend(large), Is.True);
        Assert.That(pair.Server.TrySend(largeBack), Is.True);
        Assert.That(pair.Server.TrySend([0x24]), Is.True);
        await pair.ServerHandler.WaitForCountAsync(2).WaitAsync(s_timeout);
        await pair.ClientHandler.WaitForCountAsync(2).WaitAsync(s_timeout);

        Assert.That(pair.ServerHandler.Datagrams, Has.Some.EqualTo(new byte[] { 0x42 }));
        Assert.That(pair.ServerHandler.Datagrams, Has.Some.EqualTo(large), "max-size datagram client -> server");
        Assert.That(pair.ClientHandler.Datagrams, Has.Some.EqualTo(largeBack), "max-size datagram server -> client");
        Assert.That(pair.ClientHandler.Datagrams, Has.Some.EqualTo(new byte[] { 0x24 }));
    }

    [Test]
    public async Task TrySend_OversizeOrEmpty_ReturnsFalse()
    {
        EdgePair pair = await ConnectAsync();

        Assert.That(pair.Client.TrySend(new byte[_client.MaxDatagramSize + 1]), Is.False, "one byte too long");
        Assert.That(pair.Server.TrySend(new byte[_server.MaxDatagramSize + 1]), Is.False, "one byte too long, inbound edge");
        Assert.That(pair.Client.TrySend([]), Is.False, "empty");
        Assert.That(pair.Client.IsClosed, Is.False, "a refused send does not close the edge");
    }

    [Test]
    public async Task Close_Twice_FirstReasonWinsAndHandlerHearsOnce()
    {
        EdgePair pair = await ConnectAsync();

        pair.Client.Close("first");
        pair.Client.Close("second");

        Assert.That(await pair.ClientHandler.Closed.WaitAsync(s_timeout), Is.EqualTo("first"));
        Assert.That(pair.Client.IsClosed, Is.True);
        Assert.That(pair.Client.CloseReason, Is.EqualTo("first"));
        Assert.That(pair.ClientHandler.CloseCount, Is.EqualTo(1));
    }

    [Test]
    public async Task TrySend_AfterClose_ReturnsFalse()
    {
        EdgePair pair = await ConnectAsync();

        pair.Server.Close("done");

        Assert.That(pair.Server.TrySend([1]), Is.False);
        Assert.That(pair.Server.CloseReason, Is.EqualTo("done"));
    }

    [Test]
    public async Task Close_ConnectionOrientedTransport_PeerHearsRemoteClosed()
    {
        if (!_factory.PeerHearsClose)
        {
            Assert.Ignore("This transport tells the peer nothing when an edge closes (UDP).");
        }
        EdgePair pair = await ConnectAsync();

        pair.Client.Close("bye");

        Assert.That(await pair.ServerHandler.Closed.WaitAsync(s_timeout), Does.StartWith("remote closed"));
        Assert.That(pair.Server.IsClosed, Is.True);
        Assert.That(pair.ServerHandler.CloseCount, Is.EqualTo(1));
        Assert.That(pair.ClientHandler.CloseCount, Is.EqualTo(1));
    }

    [Test]
    public async Task TrySend_ManyDatagrams_ArriveInOrderOrAlmostAll()
    {
        const int Total = 2000;
        const int Window = 64;   // in flight at most: enough to keep the pipe busy, few enough for a loopback socket buffer
        EdgePair pair = await ConnectAsync();
        byte[] datagram = new byte[100];

        for (int i = 0; i < Total; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(datagram, i);
            datagram[^1] = (byte)i;
            while (!pair.Client.TrySend(datagram))
            {
                await Task.Yield();   // the bounded queue is full: backpressure, try again
            }
            if (i % Window == Window - 1)
            {
                await AwaitUpToAsync(pair.ServerHandler.WaitForCountAsync(i + 1 - Window), TimeSpan.FromSeconds(1));
            }
        }
        await AwaitUpToAsync(pair.ServerHandler.WaitForCountAsync(Total), _factory.IsReliable ? s_timeout : TimeSpan.FromSeconds(1));

        IReadOnlyList<byte[]> received = pair.ServerHandler.Datagrams;
        int[] indices = [.. received.Select(d => BinaryPrimitives.ReadInt32BigEndian(d))];
        Assert.That(received, Has.All.Length.EqualTo(datagram.Length));
        Assert.That(received.All(d => d[^1] == (byte)BinaryPrimitives.ReadInt32BigEndian(d)), Is.True, "payload matches its index");
        if (_factory.IsReliable)
        {
            Assert.That(indices, Is.EqualTo(Enumerable.Range(0, Total)), "all, in order");
        }
        else
        {
            Assert.That(indices, Is.Unique.And.All.InRange(0, Total - 1));
            Assert.That(indices, Has.Length.GreaterThanOrEqualTo(Total * 95 / 100), "almost all arrive on loopback");
        }
    }

    [Test]
    public async Task DisposeAsync_Listener_ClosesItsEdgesOnce()
    {
        EdgePair pair = await ConnectAsync();

        await _client.DisposeAsync();

        Assert.That(await pair.ClientHandler.Closed.WaitAsync(s_timeout), Is.EqualTo("listener disposed"));
        Assert.That(pair.Client.IsClosed, Is.True);
        Assert.That(pair.Client.TrySend([1]), Is.False);
        if (_factory.PeerHearsClose)
        {
            Assert.That(await pair.ServerHandler.Closed.WaitAsync(s_timeout), Does.StartWith("remote closed"));
        }
        await _client.DisposeAsync();   // twice is harmless
        Assert.That(pair.ClientHandler.CloseCount, Is.EqualTo(1));
    }

    [Test]
    public async Task ConnectAsync_AfterDispose_ThrowsObjectDisposed()
    {
        await _client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await _client.ConnectAsync(_server.LocalAddress, new RecordingHandler()));
    }

    [Test]
    public async Task ConnectAsync_OtherKindOfAddress_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await _client.ConnectAsync(TransportAddress.Tunnel("somewhere"), new RecordingHandler()));
    }

    [Test]
    public void Start_Twice_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => _server.Start(_ => null));
    }

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="limit"/>; a lossy transport may never finish it.</summary>
    private static async Task AwaitUpToAsync(Task task, TimeSpan limit)
    {
        Task winner = await Task.WhenAny(task, Task.Delay(limit));
        if (winner == task)
        {
            await task;
        }
    }

    /// <summary>Connects client to server and waits until the server's edge exists (UDP makes it on the first datagram).</summary>
    private async Task<EdgePair> ConnectAsync()
    {
        var clientHandler = new RecordingHandler();
        IEdge client = await _client.ConnectAsync(_server.LocalAddress, clientHandler).AsTask().WaitAsync(s_timeout);
        Assert.That(client.TrySend([0xEE]), Is.True);
        (IEdge server, RecordingHandler serverHandler) = await _accepted.Task.WaitAsync(s_timeout);
        await serverHandler.WaitForCountAsync(1).WaitAsync(s_timeout);
        Assert.That(serverHandler.Datagrams[0], Is.EqualTo(new byte[] { 0xEE }));
        serverHandler.Clear();
        return new EdgePair(client, clientHandler, server, serverHandler);
    }
}
