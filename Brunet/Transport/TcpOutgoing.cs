namespace Brunet.Transport;

/// <summary>A whole frame (header and payload) in a TCP edge's send queue; <see cref="Buffer"/> is rented.</summary>
internal readonly record struct TcpOutgoing(byte[] Buffer, int Length);
