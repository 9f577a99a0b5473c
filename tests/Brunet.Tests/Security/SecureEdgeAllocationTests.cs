using Brunet.Security;
using Brunet.Transport;

namespace Brunet.Tests.Security;

public sealed class SecureEdgeAllocationTests
{
    [Test]
    public void TrySendAndOnReceived_SteadyState_AllocateNothing()
    {
        var time = new ManualTimeProvider();
        var options = new HandshakeOptions("alloc");
        var initiatorHandler = new CountingHandler();
        var responderHandler = new CountingHandler();
        var initiator = new SecureEdge(SecureEdgeHarness.InitiatorIdentity, options, true, initiatorHandler, time);
        var responder = new SecureEdge(SecureEdgeHarness.ResponderIdentity, options, false, responderHandler, time);
        var a = new DirectEdge(initiator);
        var b = new DirectEdge(responder);
        a.Peer = b;
        b.Peer = a;
        responder.Attach(b);
        initiator.Attach(a);
        Assert.That(initiator.IsEstablished && responder.IsEstablished, Is.True);

        byte[] plaintext = new byte[1000];
        for (int i = 0; i < 200; i++)
        {
            initiator.TrySend(plaintext);      // warm up the pool and the JIT
            responder.TrySend(plaintext);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++)
        {
            initiator.TrySend(plaintext);
            responder.TrySend(plaintext);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(responderHandler.Count, Is.EqualTo(2200));
        Assert.That(initiatorHandler.Count, Is.EqualTo(2200));
        Assert.That(allocated, Is.LessThan(1024), $"{allocated} bytes allocated for 4000 sealed and opened packets");
    }

    private sealed class CountingHandler : ISecureEdgeHandler
    {
        public int Count { get; private set; }

        public void OnEstablished(SecureEdge edge)
        {
        }

        public void OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext) => Count++;

        public void OnClosed(SecureEdge edge, string reason)
        {
        }
    }

    /// <summary>Hands each datagram synchronously to the peer's handler, without copying.</summary>
    private sealed class DirectEdge(IEdgeHandler handler) : IEdge
    {
        public DirectEdge Peer { get; set; } = null!;

        public TransportKind Kind => TransportKind.Memory;

        public TransportAddress LocalAddress { get; } = TransportAddress.Memory("local");

        public TransportAddress RemoteAddress { get; } = TransportAddress.Memory("remote");

        public bool IsInbound => false;

        public bool IsClosed => CloseReason is not null;

        public string? CloseReason { get; private set; }

        public bool TrySend(ReadOnlySpan<byte> datagram)
        {
            Peer.Deliver(datagram);
            return true;
        }

        public void Close(string reason) => CloseReason ??= reason;

        private void Deliver(ReadOnlySpan<byte> datagram) => handler.OnReceived(this, datagram);
    }
}
