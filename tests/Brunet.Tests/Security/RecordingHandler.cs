using Brunet.Security;

namespace Brunet.Tests.Security;

internal sealed class RecordingHandler : ISecureEdgeHandler
{
    public int EstablishedCount { get; private set; }

    public List<byte[]> Messages { get; } = [];

    public List<string> ClosedReasons { get; } = [];

    public void OnEstablished(SecureEdge edge) => EstablishedCount++;

    public void OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext) => Messages.Add(plaintext.ToArray());

    public void OnClosed(SecureEdge edge, string reason) => ClosedReasons.Add(reason);
}
