using System.Buffers;

namespace Brunet.Tests.Transport;

/// <summary>The same bytes as a sequence cut every way a socket might deliver them.</summary>
internal static class Segmentations
{
    /// <summary>Whole, split in two at every offset (empty halves included), and one byte per segment.</summary>
    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> All(byte[] data)
    {
        yield return ("whole", new ReadOnlySequence<byte>(data));
        for (int split = 0; split <= data.Length; split++)
        {
            yield return ($"split at {split}", Build([data.AsMemory(0, split), data.AsMemory(split)]));
        }
        yield return ("one byte per segment", Build([.. Enumerable.Range(0, data.Length).Select(i => data.AsMemory(i, 1))]));
    }

    private static ReadOnlySequence<byte> Build(ReadOnlyMemory<byte>[] pieces)
    {
        if (pieces.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        var first = new BufferSegment(pieces[0], 0);
        BufferSegment last = first;
        foreach (ReadOnlyMemory<byte> piece in pieces.Skip(1))
        {
            last = last.Append(piece);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
