using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging.Rpc;
using Brunet.Routing;

namespace Brunet.Dht;

public sealed partial class DhtNode
{
    private bool _handoffScheduled;
    private bool _hasNeighbours;
    private Address _lastLeft;
    private Address _lastRight;
    private long _nextFullSyncUnixMs;

    private void OnConnectionsChanged()
    {
        if (_handoffScheduled || _disposed)
        {
            return;
        }
        _handoffScheduled = true;
        Schedule(_options.HandoffDelay, () =>
        {
            _handoffScheduled = false;
            RunMaintenance();
        });
    }

    /// <summary>
    /// Drops expired records and hands records on. For each key held, and each of its points: if this node is one of
    /// the point's two holders, the other holder (left or right neighbour) gets the key's records when that
    /// neighbour changed since the last pass (it is new there: a join, or the old one died) or at a full sync. A key
    /// with no point held here any more goes to its points' holders and is dropped once they all answered.
    /// </summary>
    private void RunMaintenance()
    {
        if (_disposed)
        {
            return;
        }
        long now = NowUnixMs;
        if (_store.PurgeExpired(now) > 0)
        {
            ScheduleFlush();
        }
        foreach (string slot in _written.Where(w => !w.Value.IsLive(now)).Select(w => w.Key).ToList())
        {
            _written.Remove(slot);
        }
        ConnectionTable table = _host.Connections;
        if (table.Left(0) is not { } leftLink || table.Right(0) is not { } rightLink)
        {
            return;   // alone: this node holds every point
        }
        Address left = leftLink.Peer;
        Address right = rightLink.Peer;
        bool full = now >= _nextFullSyncUnixMs;
        if (full)
        {
            _nextFullSyncUnixMs = now + (long)_options.FullSyncInterval.TotalMilliseconds;
        }
        bool leftChanged = full || !_hasNeighbours || left != _lastLeft;
        bool rightChanged = full || !_hasNeighbours || right != _lastRight;
        _hasNeighbours = true;
        _lastLeft = left;
        _lastRight = right;
        var toLeft = new List<DhtRecord>();
        var toRight = new List<DhtRecord>();
        var moveOut = new List<DhtKeyEntry>();
        foreach (DhtKeyEntry entry in _store.Entries)
        {
            bool holder = false;
            bool sendLeft = false;
            bool sendRight = false;
            foreach (Address point in entry.Points)
            {
                if (DhtPlacement.IsHolder(table, point, out _, out bool otherIsLeft))
                {
                    holder = true;
                    sendLeft |= otherIsLeft;
                    sendRight |= !otherIsLeft;
                }
            }
            if (!holder)
            {
                if (!entry.HandoffInFlight)
                {
                    moveOut.Add(entry);
                }
                continue;
            }
            if (sendLeft && leftChanged)
            {
                toLeft.AddRange(entry.Records.Where(r => r.IsLive(now)));
            }
            if (sendRight && rightChanged)
            {
                toRight.AddRange(entry.Records.Where(r => r.IsLive(now)));
            }
        }
        if (left == right)
        {
            toLeft = [.. toLeft.Union(toRight)];
            toRight.Clear();
        }
        // A failed push is retried on the next pass by forgetting the neighbours.
        foreach ((Address peer, List<DhtRecord> records) in new[] { (left, toLeft), (right, toRight) })
        {
            if (records.Count > 0)
            {
                Interlocked.Add(ref _recordsHandedOff, records.Count);
                SendToPeer(table, peer, records, () => _hasNeighbours = false);
            }
        }
        foreach (DhtKeyEntry entry in moveOut)
        {
            HandOff(entry, now);
        }
    }

    /// <summary>Sends a key this node no longer holds to each of its points, then forgets what every point took.</summary>
    private void HandOff(DhtKeyEntry entry, long now)
    {
        List<DhtRecord> records = entry.Records.FindAll(r => r.IsLive(now));
        if (records.Count == 0)
        {
            return;
        }
        entry.HandoffInFlight = true;
        Interlocked.Add(ref _recordsHandedOff, records.Count);
        int remaining = 0;
        bool allTaken = true;
        List<List<DhtRecord>> batches = [.. Batches(records)];
        foreach (Address point in entry.Points)
        {
            foreach (List<DhtRecord> batch in batches)
            {
                remaining++;
                _host.Call(RpcTarget.Routed(point, RoutingMode.Closest), DhtMethods.Store, DhtWire.WriteStoreRequest(replicate: true, batch), result =>
                {
                    // Our own answer means the routing still sees us as the nearest: keep the records.
                    allTaken &= result.IsOk && result.From != _host.Address;
                    if (--remaining == 0)
                    {
                        entry.HandoffInFlight = false;
                        if (allTaken && !_disposed)
                        {
                            _store.RemoveRecords(entry, records);
                            ScheduleFlush();
                        }
                    }
                });
            }
        }
    }
}
