using System.Diagnostics;
using System.Globalization;
using Brunet.Security;

namespace Brunet.Benchmarks;

/// <summary>Complete Noise XX handshakes (with identity payloads) between SecureEdge pairs, one after another, on one thread.</summary>
internal static class HandshakeBenchmark
{
    public static void Run(TimeSpan duration)
    {
        NodeIdentity initiatorIdentity = NodeIdentity.Generate();
        NodeIdentity responderIdentity = NodeIdentity.Generate();
        var options = new HandshakeOptions("bench");
        var handler = new IgnoringHandler();
        for (int i = 0; i < 20; i++)
        {
            Handshake(initiatorIdentity, responderIdentity, options, handler);   // warm up the JIT
        }
        int completed = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            if (!Handshake(initiatorIdentity, responderIdentity, options, handler))
            {
                throw new InvalidOperationException("A handshake did not complete.");
            }
            completed++;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"handshakes: {completed}");
        Console.WriteLine($"handshakes_per_s: {(completed / seconds).ToString("F0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"handshake_ms: {(seconds * 1000 / completed).ToString("F3", CultureInfo.InvariantCulture)}");
    }

    private static bool Handshake(NodeIdentity initiatorIdentity, NodeIdentity responderIdentity, HandshakeOptions options, IgnoringHandler handler)
    {
        var pair = new PairedEdges();
        var initiator = new SecureEdge(initiatorIdentity, options, true, handler, TimeProvider.System);
        var responder = new SecureEdge(responderIdentity, options, false, handler, TimeProvider.System);
        pair.Initiator.Handler = initiator;
        pair.Responder.Handler = responder;
        responder.Attach(pair.Responder);
        initiator.Attach(pair.Initiator);
        pair.Pump();
        bool ok = initiator.IsEstablished && responder.IsEstablished;
        initiator.Close("done");
        responder.Close("done");
        return ok;
    }

    private sealed class IgnoringHandler : ISecureEdgeHandler
    {
        public void OnEstablished(SecureEdge edge)
        {
        }

        public void OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext)
        {
        }

        public void OnClosed(SecureEdge edge, string reason)
        {
        }
    }
}
