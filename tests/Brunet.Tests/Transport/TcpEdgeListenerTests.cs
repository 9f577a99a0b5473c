using System.Net;
using System.Net.Sockets;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public class TcpEdgeListenerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private TcpEdgeListener _listener = null!;
    private Socket _raw = null!;
    private TaskCompletionSource<(IEdge Edge, RecordingHandler Handler)> _accepted = null!;

    [SetUp]
    public void SetUp()
    {
        _listener = new TcpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0));
        _raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        Assert.That(_listener.LocalAddress.ToString(), Does.StartWith("brunet.tcp://127.0.0.1:"));
        Assert.That(_listener.MaxDatagramSize, Is.EqualTo(65_535));
    }

    [Test]
    public async Task ConnectAsync_NothingListening_ThrowsSocketException()
    {
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));   // holds the port, never listens: connecting is refused

        SocketException? error = await Assert.ThrowsAsync<SocketException>(async () =>
            await _listener.ConnectAsync(TransportAddress.Tcp((IPEndPoint)bound.LocalEndPoint!), new RecordingHandler()));

        Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
        Assert.That(_listener.EdgeCount, Is.Zero);
    }

    [Test]
    public async Task ConnectAsync_CanceledToken_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        await Assert.ThatAsync(async () => await _listener.ConnectAsync(_listener.LocalAddress, new RecordingHandler(), cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Receive_FramesArrivingOneByteAtATime_AreReassembled()
    {
        StartRecording();
        await _raw.ConnectAsync(_listener.LocalAddress.EndPoint!);
        (IEdge edge, RecordingHandler handler) = await _accepted.Task.WaitAsync(s_timeout);
        _raw.NoDelay = true;

        foreach (byte b in Convert.FromHexString("0003616263" + "0001ff"))
        {
            await _raw.SendAsync(new[] { b });
        }
        await handler.WaitForCountAsync(2).WaitAsync(s_timeout);

        Assert.That(handler.Events, Is.EqualTo(new[] { "616263", "FF" }));
        Assert.That(edge.IsInbound, Is.True);
        Assert.That(edge.RemoteAddress, Is.EqualTo(TransportAddress.Tcp((IPEndPoint)_raw.LocalEndPoint!)));
    }

    [Test]
    public async Task Receive_ManyFramesInOneWrite_AllDelivered()
    {
        StartRecording();
        await _raw.ConnectAsync(_listener.LocalAddress.EndPoint!);
        (_, RecordingHandler handler) = await _accepted.Task.WaitAsync(s_timeout);
        byte[] frames = [.. Enumerable.Range(1, 100).SelectMany(i => new byte[] { 0, 1, (byte)i })];

        await _raw.SendAsync(frames);
        await handler.WaitForCountAsync(100).WaitAsync(s_timeout);

        Assert.That(handler.Datagrams.Select(d => (int)d.Single()), Is.EqualTo(Enumerable.Range(1, 100)));
    }

    [Test]
    public async Task Receive_ZeroLengthFrame_ClosesEdgeWithFramingViolation()
    {
        StartRecording();
        await _raw.ConnectAsync(_listener.LocalAddress.EndPoint!);
        (IEdge edge, RecordingHandler handler) = await _accepted.Task.WaitAsync(s_timeout);

        await _raw.SendAsync(Convert.FromHexString("0001aa0000"));

        Assert.That(await handler.Closed.WaitAsync(s_timeout), Does.Contain("zero-length"));
        Assert.That(handler.Events[0], Is.EqualTo("AA"), "the good frame before the violation was delivered");
        Assert.That(edge.IsClosed, Is.True);
        Assert.That(_listener.FramingViolations, Is.EqualTo(1));
        Assert.That(await ReadUntilClosedAsync(_raw), Is.True, "the connection is closed");
    }

    [Test]
    public async Task Receive_PeerCloses_EdgeHearsRemoteClosed()
    {
        StartRecording();
        await _raw.ConnectAsync(_listener.LocalAddress.EndPoint!);
        (IEdge edge, RecordingHandler handler) = await _accepted.Task.WaitAsync(s_timeout);

        _raw.Shutdown(SocketShutdown.Both);

        Assert.That(await handler.Closed.WaitAsync(s_timeout), Does.StartWith("remote closed"));
        Assert.That(edge.IsClosed, Is.True);
        Assert.That(handler.CloseCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Accept_ReturnsNull_ClosesTheConnection()
    {
        _listener.Start(_ => null);

        await _raw.ConnectAsync(_listener.LocalAddress.EndPoint!);

        Assert.That(await ReadUntilClosedAsync(_raw), Is.True);
        Assert.That(_listener.RefusedConnections, Is.EqualTo(1));
        Assert.That(_listener.EdgeCount, Is.Zero);
    }

    [Test]
    public async Task TrySend_ToRawPeer_WritesLengthPrefixedFrames()
    {
        StartRecording();
        await _raw.ConnectAsync(_listener.LocalAddress.EndPoint!);
        (IEdge edge, _) = await _accepted.Task.WaitAsync(s_timeout);

        Assert.That(edge.TrySend([0x11, 0x22]), Is.True);
        Assert.That(edge.TrySend([0x33]), Is.True);

        byte[] expected = Convert.FromHexString("00021122" + "000133");
        byte[] buffer = new byte[expected.Length];
        int read = 0;
        using var cancel = new CancellationTokenSource(s_timeout);
        while (read < buffer.Length)
        {
            int n = await _raw.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancel.Token);
            Assert.That(n, Is.Not.Zero, "closed early");
            read += n;
        }
        Assert.That(buffer, Is.EqualTo(expected));
    }

    /// <summary>Reads and discards until the peer closes (true) or the time runs out (false).</summary>
    private static async Task<bool> ReadUntilClosedAsync(Socket socket)
    {
        byte[] buffer = new byte[256];
        using var cancel = new CancellationTokenSource(s_timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
                // keep reading: anything queued before the close comes first
            }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void StartRecording() => _listener.Start(edge =>
    {
        var handler = new RecordingHandler();
        _accepted.TrySetResult((edge, handler));
        return handler;
    });
}
