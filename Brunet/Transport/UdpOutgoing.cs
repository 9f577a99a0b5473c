namespace Brunet.Transport;

/// <summary>A datagram in the UDP send queue: <see cref="Buffer"/> is rented and owned by the queue until sent.</summary>
internal readonly record struct UdpOutgoing(UdpEdge Edge, byte[] Buffer, int Length);
