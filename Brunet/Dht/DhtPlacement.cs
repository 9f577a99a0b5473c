using System.Text;
using Brunet.Addressing;
using Brunet.Connections;

namespace Brunet.Dht;

/// <summary>
/// Where a key lives: <see cref="DhtOptions.ReplicaPoints"/> ring points from hashes of the key, each held by the two
/// nodes around it (its successor, at or clockwise after the point, and its predecessor). The node nearest a point is
/// always one of the two, so a closest-mode call reaches a holder, which copies to the other.
/// </summary>
public static class DhtPlacement
{
    private static readonly byte[] s_domain = Encoding.ASCII.GetBytes("brunet-dht-v1");

    /// <summary>Point i = <see cref="Address.FromHash"/>("brunet-dht-v1" || i || key).</summary>
    public static Address[] Points(ReadOnlySpan<byte> key, int count)
    {
        var points = new Address[count];
        byte[] input = new byte[s_domain.Length + 1 + key.Length];
        s_domain.CopyTo(input, 0);
        key.CopyTo(input.AsSpan(s_domain.Length + 1));
        for (int i = 0; i < count; i++)
        {
            input[s_domain.Length] = (byte)i;
            points[i] = Address.FromHash(input);
        }
        return points;
    }

    /// <summary>
    /// The other holder of <paramref name="point"/> if this node (<paramref name="table"/>.Self) is one of its two
    /// holders as seen from its nearest links; <see cref="Address.Zero"/> with true when the node is alone; false when
    /// the node is not a holder.
    /// </summary>
    public static bool IsHolder(ConnectionTable table, Address point, out Address otherHolder, out bool otherIsLeft)
    {
        otherHolder = default;
        otherIsLeft = false;
        Connection? left = table.Left(0);
        Connection? right = table.Right(0);
        if (left is null || right is null)
        {
            return true;
        }
        Address self = table.Self;
        // Successor: the point lies in (left, self]; the other holder is the left neighbour.
        if (point == self || point.IsStrictlyBetweenClockwise(left.Peer, self))
        {
            otherHolder = left.Peer;
            otherIsLeft = true;
            return true;
        }
        // Predecessor: the point lies in (self, right); the other holder is the right neighbour.
        if (point.IsStrictlyBetweenClockwise(self, right.Peer))
        {
            otherHolder = right.Peer;
            return true;
        }
        return false;
    }
}
