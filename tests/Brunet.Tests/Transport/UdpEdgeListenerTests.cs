using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public class UdpEdgeListenerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private UdpEdgeListener _listener = null!;
    private Socket _raw = null!;

    [SetUp]
    public void SetUp()
    {
        _listener = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0));
        _raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    [TearDown]
    public async Task TearDown()
    {
        _raw.Dispose();
        await _listener.DisposeAsync();
    }

    [Test]
    public void LocalAddress_PortZero_HasTheEphemeralPort()
    {
        Assert.That(_listener.LocalAddress.EndPoint!.Port, Is.Not.Zero);
        Assert.That(_listener.LocalAddress.ToString(), Does.StartWith("brunet.udp://127.0.0.1:"));
        Assert.That(_listener.MaxDatagramSize, Is.EqualTo(65_000));
    }

    [Test]
    public async Task Receive_DatagramFromUnknownEndPoint_CreatesInboundEdgeThroughAccept()
    {
        var accepted = new TaskCompletionSource<IEdge>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler();
        _listener.Start(edge =>
        {
            accepted.TrySetResult(edge);
            return handler;
        });

        await _raw.SendToAsync(new byte[] { 9, 8, 7 }, _listener.LocalAddress.EndPoint!);
        IEdge inbound = await accepted.Task.WaitAsync(s_timeout);
        await handler.WaitForCountAsync(1).WaitAsync(s_timeout);

        Assert.That(inbound.IsInbound, Is.True);
        Assert.That(inbound.RemoteAddress, Is.EqualTo(TransportAddress.Udp((IPEndPoint)_raw.LocalEndPoint!)));
        Assert.That(handler.Datagrams[0], Is.EqualTo(new byte[] { 9, 8, 7 }));
        Assert.That(inbound.TrySend([6, 5]), Is.True);
        byte[] reply = new byte[16];
        using var cancel = new CancellationTokenSource(s_timeout);
        SocketReceiveFromResult result = await _raw.ReceiveFromAsync(reply, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancel.Token);
        Assert.That(reply[..result.ReceivedBytes], Is.EqualTo(new byte[] { 6, 5 }));
        Assert.That(result.RemoteEndPoint, Is.EqualTo(_listener.LocalAddress.EndPoint));
        Assert.That(_listener.EdgeCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Receive_AcceptReturnsNull_DropsDatagramAndKeepsNoEdge()
    {
        int calls = 0;
        var handler = new RecordingHandler();
        _listener.Start(edge => Interlocked.Increment(ref calls) <= 2 ? null : handler);

        await _raw.SendToAsync(new byte[] { 1 }, _listener.LocalAddress.EndPoint!);
        await _raw.SendToAsync(new byte[] { 2 }, _listener.LocalAddress.EndPoint!);
        await _raw.SendToAsync(new byte[] { 3 }, _listener.LocalAddress.EndPoint!);
        await handler.WaitForCountAsync(1).WaitAsync(s_timeout);

        Assert.That(Volatile.Read(ref calls), Is.EqualTo(3), "no edge was kept, so every datagram asked again");
        Assert.That(handler.Datagrams, Has.Count.EqualTo(1));
        Assert.That(handler.Datagrams[0], Is.EqualTo(new byte[] { 3 }));
        Assert.That(_listener.RefusedDatagrams, Is.EqualTo(2));
        Assert.That(_listener.EdgeCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Receive_AfterEdgeClosed_SameEndPointMakesNewInboundEdge()
    {
        Channel<(IEdge Edge, RecordingHandler Handler)> accepted = Channel.CreateUnbounded<(IEdge, RecordingHandler)>();
        _listener.Start(edge =>
        {
            var handler = new RecordingHandler();
            accepted.Writer.TryWrite((edge, handler));
            return handler;
        });
        using var cancel = new CancellationTokenSource(s_timeout);
        await _raw.SendToAsync(new byte[] { 1 }, _listener.LocalAddress.EndPoint!);
        (IEdge first, RecordingHandler firstHandler) = await accepted.Reader.ReadAsync(cancel.Token);
        await firstHandler.WaitForCountAsync(1).WaitAsync(s_timeout);

        first.Close("test");
        await _raw.SendToAsync(new byte[] { 2 }, _listener.LocalAddress.EndPoint!);
        (IEdge second, RecordingHandler secondHandler) = await accepted.Reader.ReadAsync(cancel.Token);
        await secondHandler.WaitForCountAsync(1).WaitAsync(s_timeout);

        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(firstHandler.Datagrams, Has.Count.EqualTo(1), "the closed edge hears nothing more");
        Assert.That(secondHandler.Datagrams[0], Is.EqualTo(new byte[] { 2 }));
        Assert.That(firstHandler.CloseCount, Is.EqualTo(1));
        Assert.That(secondHandler.CloseCount, Is.Zero);
    }

    [Test]
    public async Task ConnectAsync_EndPointWithOpenEdge_ThrowsUntilThatEdgeCloses()
    {
        var remote = TransportAddress.Udp((IPEndPoint)_raw.LocalEndPoint!);
        IEdge first = await _listener.ConnectAsync(remote, new RecordingHandler());

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _listener.ConnectAsync(remote, new RecordingHandler()));
        first.Close("test");
        IEdge second = await _listener.ConnectAsync(remote, new RecordingHandler());

        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(second.IsClosed, Is.False);
    }

    [Test]
    public async Task ConnectAsync_OutboundEdge_SendsToAndHearsFromTheEndPoint()
    {
        var handler = new RecordingHandler();
        IEdge edge = await _listener.ConnectAsync(TransportAddress.Udp((IPEndPoint)_raw.LocalEndPoint!), handler);

        Assert.That(edge.TrySend([0xab]), Is.True);
        byte[] buffer = new byte[16];
        using var cancel = new CancellationTokenSource(s_timeout);
        SocketReceiveFromResult result = await _raw.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancel.Token);
        await _raw.SendToAsync(new byte[] { 0xcd }, result.RemoteEndPoint);
        await handler.WaitForCountAsync(1).WaitAsync(s_timeout);

        Assert.That(buffer[..result.ReceivedBytes], Is.EqualTo(new byte[] { 0xab }));
        Assert.That(handler.Datagrams[0], Is.EqualTo(new byte[] { 0xcd }), "the reply reached the outbound edge without accept");
        Assert.That(_listener.DatagramsSent, Is.EqualTo(1));
        Assert.That(_listener.BytesSent, Is.EqualTo(1));
        Assert.That(_listener.DatagramsReceived, Is.EqualTo(1));
        Assert.That(_listener.BytesReceived, Is.EqualTo(1));
    }

    [Test]
    public async Task TrySend_QueueFull_ReturnsFalseAndCountsDrop()
    {
        await using var small = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0), options: new UdpEdgeListenerOptions { SendQueueCapacity = 1 });
        IEdge edge = await small.ConnectAsync(TransportAddress.Udp((IPEndPoint)_raw.LocalEndPoint!), new RecordingHandler());

        // The send loop drains concurrently, so only "some sends fail once far more are offered than it holds" is certain.
        int refused = 0;
        for (int i = 0; i < 10_000 && refused == 0; i++)
        {
            refused += edge.TrySend(new byte[1000]) ? 0 : 1;
        }

        Assert.That(refused, Is.EqualTo(1));
        Assert.That(small.SendQueueDrops, Is.EqualTo(1));
    }
}
