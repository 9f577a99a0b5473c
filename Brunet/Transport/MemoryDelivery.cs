namespace Brunet.Transport;

/// <summary>
/// An item in flight to a <see cref="MemoryEdge"/>: a datagram in a rented <see cref="Buffer"/>, or (Buffer null) the
/// peer's close, which travels behind the datagrams sent before it, like a TCP FIN.
/// </summary>
internal readonly record struct MemoryDelivery(byte[]? Buffer, int Length, string? CloseReason);
