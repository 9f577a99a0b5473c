using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>A faulty handler: every datagram makes it throw.</summary>
internal sealed class ThrowingHandler : IEdgeHandler
{
    public void OnReceived(IEdge edge, ReadOnlySpan<byte> datagram) => throw new InvalidOperationException("handler bug");

    public void OnClosed(IEdge edge, string reason)
    {
        // Closing is fine; only receiving is broken.
    }
}
