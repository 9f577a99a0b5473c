using System.Net;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public class UdpSendRingTests
{
    private UdpEdgeListener _listener = null!;
    private UdpEdge _edge = null!;

    [SetUp]
    public async Task SetUp()
    {
        _listener = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0));
        _edge = (UdpEdge)await _listener.ConnectAsync(TransportAddress.Udp(new IPEndPoint(IPAddress.Loopback, 9)), new RecordingHandler());
    }

    [TearDown]
    public async Task TearDown() => await _listener.DisposeAsync();

    [Test]
    public void TryEnqueue_Full_ReturnsFalseUntilReleased()
    {
        using var ring = new UdpSendRing(2);

        Assert.That(ring.TryEnqueue(_edge, [1]), Is.True);
        Assert.That(ring.TryEnqueue(_edge, [2, 2]), Is.True);
        Assert.That(ring.TryEnqueue(_edge, [3]), Is.False, "full");

        Assert.That(ring.TryTake(8, out int first, out int count), Is.True);
        Assert.That((first, count), Is.EqualTo((0, 2)));
        Assert.That(ring.Datagram(0).ToArray(), Is.EqualTo(new byte[] { 1 }));
        Assert.That(ring.Datagram(1).ToArray(), Is.EqualTo(new byte[] { 2, 2 }));
        Assert.That(ring.TryEnqueue(_edge, [3]), Is.False, "taken slots stay the consumer's until released");
        ring.Release();
        Assert.That(ring.TryEnqueue(_edge, [3]), Is.True);
    }

    [Test]
    public void WaitForSpace_FullAndNothingReleased_TimesOut()
    {
        using var ring = new UdpSendRing(1);
        Assert.That(ring.TryEnqueue(_edge, [1]), Is.True);

        Assert.That(ring.WaitForSpace(20), Is.False);
    }

    [Test]
    public async Task WaitForSpace_FullThenReleased_ReturnsTrueWithRoom()
    {
        using var ring = new UdpSendRing(1);
        Assert.That(ring.TryEnqueue(_edge, [1]), Is.True);
        Assert.That(ring.TryTake(1, out _, out _), Is.True);

        Task<bool> waiting = Task.Run(() => ring.WaitForSpace(10_000));
        await Task.Delay(50);
        Assert.That(waiting.IsCompleted, Is.False, "the ring is still full");
        ring.Release();

        Assert.That(await waiting, Is.True);
        Assert.That(ring.TryEnqueue(_edge, [2]), Is.True);
    }

    [Test]
    public void WaitForSpace_Completed_ReturnsFalseAtOnce()
    {
        using var ring = new UdpSendRing(1);
        ring.Complete();

        Assert.That(ring.WaitForSpace(10_000), Is.False);
    }

    [Test]
    public void TryTake_AcrossTheEnd_TakesTheRunUpToTheEndThenTheRest()
    {
        using var ring = new UdpSendRing(3);
        for (int i = 0; i < 3; i++)
        {
            ring.TryEnqueue(_edge, [(byte)i]);
        }
        ring.TryTake(2, out _, out _);
        ring.Release();                                     // head at slot 2
        ring.TryEnqueue(_edge, [3]);
        ring.TryEnqueue(_edge, new byte[5000]);             // grows slot 1 beyond its first size

        Assert.That(ring.TryTake(8, out int first, out int count), Is.True);
        Assert.That((first, count), Is.EqualTo((2, 1)), "a run does not wrap");
        ring.Release();
        Assert.That(ring.TryTake(8, out first, out count), Is.True);
        Assert.That((first, count), Is.EqualTo((0, 2)));
        Assert.That(ring.Datagram(0).ToArray(), Is.EqualTo(new byte[] { 3 }));
        Assert.That(ring.Length(1), Is.EqualTo(5000));
    }

    [Test]
    public async Task WaitAsync_EmptyThenEnqueued_Completes()
    {
        using var ring = new UdpSendRing(4);
        Assert.That(ring.TryTake(4, out _, out _), Is.False);
        Task wait = ring.WaitAsync(CancellationToken.None);
        Assert.That(wait.IsCompleted, Is.False);

        ring.TryEnqueue(_edge, [7]);

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(ring.TryTake(4, out int first, out int count), Is.True);
        Assert.That((first, count), Is.EqualTo((0, 1)));
    }

    [Test]
    public async Task Complete_WhileWaiting_WakesAndIsDoneOnceDrained()
    {
        using var ring = new UdpSendRing(4);
        ring.TryEnqueue(_edge, [1]);
        ring.TryTake(4, out _, out _);
        ring.Release();
        Assert.That(ring.TryTake(4, out _, out _), Is.False);
        Task wait = ring.WaitAsync(CancellationToken.None);

        ring.Complete();

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(ring.IsDone, Is.True);
        Assert.That(ring.TryEnqueue(_edge, [2]), Is.False, "completed");
    }
}
