using Brunet.Transport;

namespace Brunet.Connections;

/// <summary>What routing needs of a link's edge: send a plaintext frame (the edge encrypts it), and say what it is.</summary>
public interface IConnectionEdge
{
    TransportKind Kind { get; }

    /// <summary>The peer's transport address as seen from here.</summary>
    string RemoteAddress { get; }

    /// <summary>Largest frame <see cref="TrySend"/> accepts.</summary>
    int MaxFrameSize { get; }

    /// <summary>Encrypts and sends a frame; false when the edge is closed, the frame too long, or the queue full.</summary>
    bool TrySend(ReadOnlySpan<byte> frame);
}
