using System.Collections.Immutable;
using Brunet.Addressing;

namespace Brunet.Connections;

/// <summary>
/// An immutable snapshot of a node's links, sorted clockwise from the node's own address. Any thread may read a
/// snapshot; only the node loop makes new ones. "Right" is clockwise (the next larger address, wrapping) and "left"
/// counter-clockwise.
/// </summary>
public sealed class ConnectionTable
{
    private readonly ImmutableArray<Connection> _clockwise;
    private readonly ImmutableDictionary<Address, Connection> _byPeer;

    private ConnectionTable(Address self, ImmutableArray<Connection> clockwise, ImmutableDictionary<Address, Connection> byPeer)
    {
        Self = self;
        _clockwise = clockwise;
        _byPeer = byPeer;
    }

    public static ConnectionTable Empty(Address self) => new(self, [], ImmutableDictionary<Address, Connection>.Empty);

    public Address Self { get; }

    public int Count => _clockwise.Length;

    /// <summary>All links, in clockwise order from <see cref="Self"/>.</summary>
    public ImmutableArray<Connection> Clockwise => _clockwise;

    public Connection? Get(Address peer) => _byPeer.GetValueOrDefault(peer);

    public bool Contains(Address peer) => _byPeer.ContainsKey(peer);

    /// <summary>The <paramref name="index"/>-th neighbour clockwise (0 is the immediate right), or null.</summary>
    public Connection? Right(int index) => index < _clockwise.Length ? _clockwise[index] : null;

    /// <summary>The <paramref name="index"/>-th neighbour counter-clockwise (0 is the immediate left), or null.</summary>
    public Connection? Left(int index) => index < _clockwise.Length ? _clockwise[_clockwise.Length - 1 - index] : null;

    /// <summary>Position of <paramref name="peer"/> counted from the nearer side: 0 for an immediate neighbour.</summary>
    public int NearRank(Address peer)
    {
        int index = _clockwise.IndexOf(Get(peer)!);
        if (index < 0)
        {
            return int.MaxValue;
        }
        return Math.Min(index, _clockwise.Length - 1 - index);
    }

    /// <summary>Adds or replaces the link to <paramref name="connection"/>.Peer.</summary>
    public ConnectionTable With(Connection connection)
    {
        if (connection.Peer == Self)
        {
            throw new ArgumentException("A node cannot link to itself.", nameof(connection));
        }
        ImmutableArray<Connection> list = _clockwise;
        if (_byPeer.TryGetValue(connection.Peer, out Connection? old))
        {
            list = list.Replace(old, connection);
        }
        else
        {
            Address distance = Self.ClockwiseDistanceTo(connection.Peer);
            int at = 0;
            int high = list.Length;
            while (at < high)
            {
                int mid = (at + high) >>> 1;
                if (Self.ClockwiseDistanceTo(list[mid].Peer) < distance)
                {
                    at = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }
            list = list.Insert(at, connection);
        }
        return new ConnectionTable(Self, list, _byPeer.SetItem(connection.Peer, connection));
    }

    public ConnectionTable Without(Address peer)
    {
        if (!_byPeer.TryGetValue(peer, out Connection? old))
        {
            return this;
        }
        return new ConnectionTable(Self, _clockwise.Remove(old), _byPeer.Remove(peer));
    }

    /// <summary>
    /// The link whose peer is nearest to <paramref name="key"/> (shorter way round), skipping
    /// <paramref name="exclude"/>; null when there is none.
    /// </summary>
    public Connection? Closest(Address key, Address? exclude = null)
    {
        Connection? best = null;
        Address bestDistance = default;
        // The two candidates around the key's clockwise position are the only ones that can be nearest; a binary
        // search finds them, but the table is small (tens of links) and a scan keeps the tie rules plain.
        foreach (Connection connection in _clockwise)
        {
            if (exclude is { } skip && connection.Peer == skip)
            {
                continue;
            }
            Address distance = connection.Peer.DistanceTo(key);
            if (best is null || distance < bestDistance || (distance == bestDistance && connection.Peer < best.Peer))
            {
                best = connection;
                bestDistance = distance;
            }
        }
        return best;
    }
}
