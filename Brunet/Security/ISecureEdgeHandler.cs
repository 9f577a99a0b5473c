namespace Brunet.Security;

/// <summary>Hears what happens on a <see cref="SecureEdge"/>. Called on transport threads or the ticking thread.</summary>
public interface ISecureEdgeHandler
{
    /// <summary>The handshake finished and the peer was accepted; <see cref="SecureEdge.Peer"/> is set.</summary>
    void OnEstablished(SecureEdge edge);

    /// <summary>A decrypted datagram. The span is valid only during the call (its buffer is cleared afterwards).</summary>
    void OnMessage(SecureEdge edge, ReadOnlySpan<byte> plaintext);

    /// <summary>The edge closed; called once, with the first reason given.</summary>
    void OnClosed(SecureEdge edge, string reason);
}
