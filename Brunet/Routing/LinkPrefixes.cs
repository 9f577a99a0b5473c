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
    /// The distance from <paramref name="key"/> to the nearest prefix in <paramref name="sorted"/> (ascending and
    /// distinct) other than <paramref name="skip"/>, or <see cref="ulong.MaxValue"/> when there is none. On a ring the
    /// nearest is the first at or after the key or the one before it (both wrapping, stepping over the skipped one),
    /// so a binary search finds it.
    /// </summary>
    public static ulong NearestDistance(ReadOnlySpan<ulong> sorted, ulong key, ulong? skip = null)
    {
        int n = sorted.Length;
        int at = sorted.BinarySearch(key);
        int next = at >= 0 ? at : ~at;
        ulong best = ulong.MaxValue;
        // At most one entry is skipped, so two steps each way always reach the nearest that counts.
        for (int step = 0; step < Math.Min(n, 2); step++)
        {
            ulong after = sorted[(next + step) % n];
            ulong before = sorted[(next - 1 - step + (2 * n)) % n];
            if (after != skip)
            {
                best = Math.Min(best, Distance(after, key));
            }
            if (before != skip)
            {
                best = Math.Min(best, Distance(before, key));
            }
        }
        return best;
    }
}
