using System.Net.Sockets;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public class MemoryNetworkTests
{
    private ManualMemoryScheduler _scheduler = null!;
    private MemoryNetwork _network = null!;
    private MemoryEdgeListener _a = null!;
    private MemoryEdgeListener _b = null!;
    private RecordingHandler _bHandler = null!;
    private IEdge? _bEdge;

    [SetUp]
    public void SetUp()
    {
        _scheduler = new ManualMemoryScheduler();
        _network = new MemoryNetwork(_scheduler, new Random(42));
        _a = _network.CreateListener("a");
        _b = _network.CreateListener("b");
        _bHandler = new RecordingHandler();
        _bEdge = null;
        _b.Start(edge =>
        {
            _bEdge = edge;
            return _bHandler;
        });
    }

    [TearDown]
    public void TearDown() => Assert.That(_network.HandlerFaults, Is.Zero, "a handler threw");

    [Test]
    public async Task ConnectAsync_KnownListener_MakesPairAtOnce()
    {
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());

        Assert.That(_bEdge, Is.Not.Null, "the inbound edge is made at connect time");
        Assert.That(_bEdge!.RemoteAddress, Is.EqualTo(_a.LocalAddress));
        Assert.That(edge.RemoteAddress.ToString(), Is.EqualTo("brunet.mem://b"));
        Assert.That(_scheduler.Pending, Is.Zero, "connecting sends nothing");
    }

    [Test]
    public async Task TrySend_WithLatency_DeliversOnlyAfterTheDelay()
    {
        _network.Latency = TimeSpan.FromMilliseconds(50);
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());

        Assert.That(edge.TrySend([1, 2]), Is.True);
        _scheduler.RunDue();
        Assert.That(_bHandler.Count, Is.Zero, "nothing at once");
        _scheduler.Advance(TimeSpan.FromMilliseconds(49));
        Assert.That(_bHandler.Count, Is.Zero, "nothing before 50 ms");
        _scheduler.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(_bHandler.Datagrams.Single(), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(_scheduler.Delays, Is.All.EqualTo(TimeSpan.FromMilliseconds(50)));
        Assert.That(_network.DatagramsDelivered, Is.EqualTo(1));
    }

    [Test]
    public async Task TrySend_SenderBufferReused_DeliversTheBytesAsSent()
    {
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());
        byte[] buffer = [7, 7, 7];

        edge.TrySend(buffer);
        buffer[0] = 0;
        _scheduler.RunDue();

        Assert.That(_bHandler.Datagrams.Single(), Is.EqualTo(new byte[] { 7, 7, 7 }), "copied on send");
    }

    [Test]
    public async Task TrySend_SchedulerRunsTicksInAnyOrder_DeliversInSendOrder()
    {
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());
        for (byte i = 1; i <= 5; i++)
        {
            edge.TrySend([i]);
        }

        Assert.That(_scheduler.RunAllReversed(), Is.EqualTo(5));

        Assert.That(_bHandler.Events, Is.EqualTo(new[] { "01", "02", "03", "04", "05" }));
    }

    [Test]
    public async Task Close_WithLatency_PeerHearsRemoteClosedAfterDatagramsInFlight()
    {
        _network.Latency = TimeSpan.FromMilliseconds(10);
        var aHandler = new RecordingHandler();
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, aHandler);

        edge.TrySend([1]);
        edge.TrySend([2]);
        edge.Close("bye");

        Assert.That(aHandler.Events, Is.EqualTo(new[] { "closed: bye" }), "the closing side hears at once");
        Assert.That(_bEdge!.IsClosed, Is.False, "the peer hears after the latency");
        _scheduler.Advance(TimeSpan.FromMilliseconds(10));
        Assert.That(_bHandler.Events, Is.EqualTo(new[] { "01", "02", "closed: remote closed" }));
        Assert.That(_bEdge.CloseReason, Is.EqualTo("remote closed"));
        _scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.That(aHandler.CloseCount, Is.EqualTo(1), "no echo of the close");
    }

    [Test]
    public async Task Crash_Peer_TrafficVanishesAndNobodyIsTold()
    {
        var aHandler = new RecordingHandler();
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, aHandler);

        _network.Crash("b");
        Assert.That(edge.TrySend([1]), Is.True, "the sender cannot tell");
        Assert.That(_bEdge!.TrySend([2]), Is.False, "a crashed node sends nothing");
        edge.Close("giving up");
        _scheduler.Advance(TimeSpan.FromSeconds(1));

        Assert.That(_b.IsCrashed, Is.True);
        Assert.That(_bHandler.Events, Is.Empty, "the crashed node hears neither the datagram nor the close");
        Assert.That(aHandler.Events, Is.EqualTo(new[] { "closed: giving up" }));
        Assert.That(_network.DatagramsDelivered, Is.Zero);
        Assert.That(_network.DatagramsLost, Is.EqualTo(1));
    }

    [Test]
    public async Task Crash_ClosingSide_PeerIsNotTold()
    {
        var aHandler = new RecordingHandler();
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, aHandler);

        _network.Crash("b");
        _bEdge!.Close("dying");
        await _b.DisposeAsync();
        _scheduler.Advance(TimeSpan.FromSeconds(1));

        Assert.That(aHandler.CloseCount, Is.Zero, "a crash sends no FIN");
        Assert.That(edge.IsClosed, Is.False);
    }

    [Test]
    public async Task ConnectAsync_UnknownCrashedUnstartedOrRefusing_ThrowsConnectionRefused()
    {
        MemoryEdgeListener unstarted = _network.CreateListener("unstarted");
        MemoryEdgeListener refusing = _network.CreateListener("refusing");
        refusing.Start(_ => null);
        _network.Crash("b");

        foreach (string name in new[] { "nobody", "b", "unstarted", "refusing" })
        {
            SocketException? error = await Assert.ThrowsAsync<SocketException>(
                async () => await _a.ConnectAsync(TransportAddress.Memory(name), new RecordingHandler()), name);
            Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused), name);
            Assert.That(error.Message, Does.Contain(name), name);
        }
        Assert.That(_a.EdgeCount, Is.Zero);
        Assert.That(refusing.EdgeCount, Is.Zero);
        await unstarted.DisposeAsync();
    }

    [Test]
    public void CreateListener_DuplicateLiveName_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _network.CreateListener("a"));
    }

    [Test]
    public async Task CreateListener_NameOfCrashedListener_ReplacesIt()
    {
        IEdge old = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());
        _network.Crash("b");

        MemoryEdgeListener restarted = _network.CreateListener("b");
        var handler = new RecordingHandler();
        restarted.Start(_ => handler);
        old.TrySend([1]);
        IEdge fresh = await _a.ConnectAsync(restarted.LocalAddress, new RecordingHandler());
        fresh.TrySend([2]);
        _scheduler.RunDue();

        Assert.That(handler.Events, Is.EqualTo(new[] { "02" }), "the old edge still leads to the crashed node");
        Assert.That(_bHandler.Events, Is.Empty);
    }

    [Test]
    public async Task TrySend_LossRateOne_DropsEverything()
    {
        _network.LossRate = 1;
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());

        for (int i = 0; i < 10; i++)
        {
            Assert.That(edge.TrySend([1]), Is.True);
        }
        _scheduler.RunDue();

        Assert.That(_bHandler.Count, Is.Zero);
        Assert.That(_network.DatagramsLost, Is.EqualTo(10));
    }

    [Test]
    public async Task TrySend_LossRateHalfSeeded_DropsAboutHalfRepeatably()
    {
        _network.LossRate = 0.5;
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());

        for (int i = 0; i < 1000; i++)
        {
            edge.TrySend([1]);
        }
        _scheduler.RunDue();

        Assert.That(_bHandler.Count, Is.InRange(400, 600), "seed 42");
        Assert.That(_network.DatagramsDelivered + _network.DatagramsLost, Is.EqualTo(1000));
        int expected = Enumerable.Range(0, 1000).Aggregate((Random: new Random(42), Kept: 0), (s, _) => (s.Random, s.Kept + (s.Random.NextDouble() < 0.5 ? 0 : 1))).Kept;
        Assert.That(_bHandler.Count, Is.EqualTo(expected), "the same draws as Random(42)");
    }

    [Test]
    public async Task TrySend_MoreThanMaxInFlight_ReturnsFalseUntilDelivered()
    {
        _network.MaxInFlightPerEdge = 3;
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());

        Assert.That(edge.TrySend([1]) && edge.TrySend([2]) && edge.TrySend([3]), Is.True);
        Assert.That(edge.TrySend([4]), Is.False, "the bounded queue is full");
        _scheduler.RunDue();
        Assert.That(edge.TrySend([5]), Is.True);
    }

    [Test]
    public async Task TrySend_FourThreadsOnTheThreadPool_EveryDatagramOnceInEachSendersOrder()
    {
        var network = new MemoryNetwork();   // the thread-pool scheduler: ticks fire concurrently
        MemoryEdgeListener a = network.CreateListener("a");
        MemoryEdgeListener b = network.CreateListener("b");
        var received = new RecordingHandler();
        b.Start(_ => received);
        IEdge edge = await a.ConnectAsync(b.LocalAddress, new RecordingHandler());
        const int PerSender = 500;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(sender => Task.Run(() =>
        {
            for (int i = 0; i < PerSender; i++)
            {
                while (!edge.TrySend([(byte)sender, (byte)(i >> 8), (byte)i]))
                {
                    Thread.Yield();   // the bounded queue is full: wait for deliveries
                }
            }
        })));
        await received.WaitForCountAsync(4 * PerSender).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(received.Count, Is.EqualTo(4 * PerSender));
        foreach (IGrouping<byte, byte[]> fromSender in received.Datagrams.GroupBy(d => d[0]))
        {
            Assert.That(fromSender.Select(d => (d[1] << 8) | d[2]), Is.EqualTo(Enumerable.Range(0, PerSender)), $"sender {fromSender.Key}");
        }
        Assert.That(network.HandlerFaults, Is.Zero);
    }

    [Test]
    public async Task TrySend_MaxDatagramSizeChanged_LimitFollows()
    {
        _network.MaxDatagramSize = 1200;
        IEdge edge = await _a.ConnectAsync(_b.LocalAddress, new RecordingHandler());

        Assert.That(_a.MaxDatagramSize, Is.EqualTo(1200));
        Assert.That(edge.TrySend(new byte[1200]), Is.True);
        Assert.That(edge.TrySend(new byte[1201]), Is.False);
    }

    [Test]
    public async Task Receive_HandlerThrows_EdgeClosesAndFaultIsCounted()
    {
        var aHandler = new RecordingHandler();
        await using MemoryEdgeListener thrower = _network.CreateListener("thrower");
        thrower.Start(_ => new ThrowingHandler());
        IEdge edge = await _a.ConnectAsync(thrower.LocalAddress, aHandler);

        edge.TrySend([1]);
        _scheduler.RunDue();

        Assert.That(_network.HandlerFaults, Is.EqualTo(1));
        Assert.That(aHandler.Events, Is.EqualTo(new[] { "closed: remote closed" }));
        Assert.That(thrower.EdgeCount, Is.Zero);
        Assert.That(_network.HandlerFaults, Is.EqualTo(1));
        // TearDown expects no faults: this test is the one that wanted one.
        _network = new MemoryNetwork(_scheduler);
    }
}
