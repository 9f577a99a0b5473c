using System.Net;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>The dedicated-thread UDP listener (Linux): UDP GSO runs out, UDP GRO runs in, backpressure on a full queue.</summary>
public class UdpThreadsListenerTests
{
    private static readonly UdpEdgeListenerOptions s_threads = new() { DedicatedThreads = true };

    [SetUp]
    public void RequireLinux() => Assume.That(OperatingSystem.IsLinux(), "dedicated UDP threads (recvmmsg, GSO, GRO) are Linux only");

    [TestCase(1000, 1000)]
    [TestCase(1000, 317)]
    public async Task CorkedBurst_EqualSizeDatagrams_ArriveOneByOneInOrder(int size, int lastSize)
    {
        await using var sender = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0), options: s_threads);
        await using var receiver = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0), options: s_threads);
        var received = new RecordingHandler();
        receiver.Start(_ => received);
        IEdge edge = await sender.ConnectAsync(receiver.LocalAddress, new RecordingHandler());
        const int count = 40;

        // One thread, no await between: the datagrams wait in the queue and leave as one GSO run, which the
        // receiving socket (UDP_GRO) may take as one buffer that the listener must cut again.
        for (int i = 0; i < count; i++)
        {
            UdpEdgeListener.Corked = i < count - 1;
            byte[] datagram = new byte[i == count - 1 ? lastSize : size];
            Array.Fill(datagram, (byte)i);
            datagram[0] = (byte)i;
            Assert.That(edge.TrySend(datagram), Is.True);
        }
        UdpEdgeListener.Corked = false;
        await received.WaitForCountAsync(count).WaitAsync(TimeSpan.FromSeconds(10));

        IReadOnlyList<byte[]> datagrams = received.Datagrams;
        Assert.That(datagrams, Has.Count.EqualTo(count));
        for (int i = 0; i < count; i++)
        {
            int expected = i == count - 1 ? lastSize : size;
            Assert.That(datagrams[i], Has.Length.EqualTo(expected), $"datagram {i}");
            Assert.That(datagrams[i].All(b => b == (byte)i), Is.True, $"datagram {i} carries another's bytes");
        }
        Assert.That(receiver.DatagramsReceived, Is.EqualTo(count));
    }

    [Test]
    public async Task WaitWhenFull_QueueOfOne_NothingDropped()
    {
        using var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram,
            System.Net.Sockets.ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var small = new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0),
            options: new UdpEdgeListenerOptions { DedicatedThreads = true, SendQueueCapacity = 1 });
        IEdge edge = await small.ConnectAsync(TransportAddress.Udp((IPEndPoint)raw.LocalEndPoint!), new RecordingHandler());

        int refused = 0;
        UdpEdgeListener.WaitWhenFull = 1000;
        UdpEdgeListener.Corked = true;      // every datagram through the queue of one
        try
        {
            for (int i = 0; i < 2_000; i++)
            {
                refused += edge.TrySend(new byte[100]) ? 0 : 1;
            }
        }
        finally
        {
            UdpEdgeListener.WaitWhenFull = 0;
            UdpEdgeListener.Corked = false;
        }

        Assert.That(refused, Is.Zero);
        Assert.That(small.SendQueueDrops, Is.Zero);
        Assert.That(small.SendQueueWaits, Is.GreaterThan(0), "a queue of one must have been found full");
    }
}
