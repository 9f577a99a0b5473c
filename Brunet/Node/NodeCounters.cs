namespace Brunet.Node;

/// <summary>Counters of one node, read by the metrics endpoint (issue E). Incremented with Interlocked.</summary>
public sealed class NodeCounters
{
    internal long _framesIn;
    internal long _framesOut;
    internal long _forwarded;
    internal long _delivered;
    internal long _dropped;
    internal long _malformed;
    internal long _sentBack;
    internal long _edgesOpened;
    internal long _edgesClosed;
    internal long _linksUp;
    internal long _linksDown;
    internal long _bytesIn;
    internal long _bytesOut;
    internal long _handshakesFailed;

    public long FramesIn => Volatile.Read(ref _framesIn);

    public long FramesOut => Volatile.Read(ref _framesOut);

    public long Forwarded => Volatile.Read(ref _forwarded);

    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Routed packets dropped: TTL exceeded, no route, queue full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public long Malformed => Volatile.Read(ref _malformed);

    /// <summary>RPC answers with no route to their requester, sent back over the edge their request came in on.</summary>
    public long SentBack => Volatile.Read(ref _sentBack);

    public long EdgesOpened => Volatile.Read(ref _edgesOpened);

    public long EdgesClosed => Volatile.Read(ref _edgesClosed);

    public long LinksUp => Volatile.Read(ref _linksUp);

    public long LinksDown => Volatile.Read(ref _linksDown);

    /// <summary>Plaintext bytes of frames received and sent on secure edges.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>Edges that closed before their handshake finished (refused, timed out, wrong namespace or key).</summary>
    public long HandshakesFailed => Volatile.Read(ref _handshakesFailed);
}
