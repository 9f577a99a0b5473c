using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Brunet.Messaging;

/// <summary>Input from the wire broke the protocol. Codecs throw only this; callers drop the packet and count it.</summary>
public sealed class WireFormatException(string message) : Exception(message)
{
}

/// <summary>Throw helpers for codecs, kept out of line so the hot path stays small.</summary>
public static class WireViolation
{
    [DoesNotReturn]
    [StackTraceHidden]
    public static void Throw(string message) => throw new WireFormatException(message);

    [DoesNotReturn]
    [StackTraceHidden]
    public static void ThrowTooLong(string what, int length, int limit) =>
        throw new WireFormatException($"{what} of {length} bytes is longer than the limit of {limit}");

    [DoesNotReturn]
    [StackTraceHidden]
    public static void ThrowTruncated(string what) => throw new WireFormatException($"{what} is truncated");
}
