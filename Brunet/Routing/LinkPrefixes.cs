using Brunet.Addressing;

namespace Brunet.Routing;

/// <summary>
/// The 64 most significant bits of node addresses, for one-step lookahead routing: a node keeps, for each link, the
/// prefixes of the peer's own links (ascending), and looks one hop further when it picks the next hop. 64 bits place a
/// node to 2^-64 of the ring, far finer than the spacing of any ring this runs, and take a quarter of an address's
/// memory.
/// </summary>
public static class LinkPrefixes
{
    public static ulong Of(Address address) => (ulong)(address.High >> 64);

    /// <summary>Ring distance between two prefixes: the shorter way round.</summary>
    public static ulong Distance(ulong a, ulong b) => Math.Min(a - b, b - a);

    /// <summary>
    /// The distance from <paramref name="key"/> to the nearest prefix in <paramref name="sorted"/> (ascending), or
    /// <see cref="ulong.MaxValue"/> when it is empty. On a ring the nearest is the first at or after the key or the
    /// one before it (both wrapping), so a binary search finds it.
    /// </summary>
    public static ulong NearestDistance(ReadOnlySpan<ulong> sorted, ulong key)
    {
        if (sorted.IsEmpty)
        {
            return ulong.MaxValue;
        }
        int at = sorted.BinarySearch(key);
        if (at >= 0)
        {
            return 0;
        }
        int next = ~at;
        ulong after = sorted[next == sorted.Length ? 0 : next];
        ulong before = sorted[next == 0 ? sorted.Length - 1 : next - 1];
        return Math.Min(Distance(after, key), Distance(before, key));
    }
}
