using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;

namespace Brunet.Dht;

public sealed partial class DhtNode
{
    private bool _flushScheduled;

    private void OnStore(RpcCall call, ReadOnlySpan<byte> body)
    {
        List<DhtRecord> records;
        bool replicate;
        try
        {
            records = DhtWire.ReadStoreRequest(body, _options, out replicate);
        }
        catch (WireFormatException e)
        {
            Interlocked.Increment(ref _malformed);
            call.Fail(RpcError.BadRequest, e.Message);
            return;
        }
        Interlocked.Increment(ref _storesServed);
        long now = NowUnixMs;
        var answers = new List<(DhtStoreStatus, DhtRecord?)>(records.Count);
        var stored = new List<DhtRecord>();
        foreach (DhtRecord record in records)
        {
            DhtStoreStatus status = _store.Apply(record, now, out DhtRecord? conflict);
            answers.Add((status, conflict));
            if (status == DhtStoreStatus.Stored)
            {
                stored.Add(record);
            }
            else if (status != DhtStoreStatus.Duplicate)
            {
                Interlocked.Increment(ref _refused);
            }
        }
        call.Reply(writer => DhtWire.WriteStoreReply(writer, answers));
        if (stored.Count > 0)
        {
            ScheduleFlush();
            if (replicate)
            {
                CopyToOtherHolders(stored);
            }
        }
    }

    private void OnQuery(RpcCall call, ReadOnlySpan<byte> body)
    {
        byte[] key;
        try
        {
            key = DhtWire.ReadQueryRequest(body, _options);
        }
        catch (WireFormatException e)
        {
            Interlocked.Increment(ref _malformed);
            call.Fail(RpcError.BadRequest, e.Message);
            return;
        }
        Interlocked.Increment(ref _queriesServed);
        List<DhtRecord> records = _store.Get(key, NowUnixMs);
        call.Reply(writer => DhtWire.WriteQueryReply(writer, records));
    }

    /// <summary>
    /// The node nearest a point stores a record and copies it to the point's other holder, its neighbour on the
    /// other side of the point, so each point is held by the two nodes around it.
    /// </summary>
    private void CopyToOtherHolders(List<DhtRecord> records)
    {
        ConnectionTable table = _host.Connections;
        var byPeer = new Dictionary<Address, List<DhtRecord>>();
        foreach (DhtRecord record in records)
        {
            foreach (Address point in PointsOf(_options, record.Key))
            {
                if (DhtPlacement.IsHolder(table, point, out Address other, out _) && other != Address.Zero && other != table.Self)
                {
                    List<DhtRecord> list = byPeer.TryGetValue(other, out List<DhtRecord>? existing) ? existing : byPeer[other] = [];
                    if (!list.Contains(record))
                    {
                        list.Add(record);
                    }
                }
            }
        }
        foreach ((Address peer, List<DhtRecord> list) in byPeer)
        {
            SendToPeer(table, peer, list, onFailure: null);
        }
    }

    /// <summary>Sends records to one neighbour, over its edge when linked (no replication on the far side).</summary>
    private void SendToPeer(ConnectionTable table, Address peer, List<DhtRecord> records, Action? onFailure)
    {
        RpcTarget target = table.Get(peer) is { } connection
            ? RpcTarget.Direct(connection.Edge, peer)
            : RpcTarget.Routed(peer, RoutingMode.Exact);
        foreach (List<DhtRecord> batch in Batches(records))
        {
            _host.Call(target, DhtMethods.Store, DhtWire.WriteStoreRequest(replicate: false, batch), result =>
            {
                if (!result.IsOk)
                {
                    onFailure?.Invoke();
                }
            });
        }
    }

    /// <summary>SQLite writes collect while the loop is busy and go out in one transaction when it gets to this.</summary>
    private void ScheduleFlush()
    {
        if (_flushScheduled)
        {
            return;
        }
        _flushScheduled = true;
        _host.Post(() =>
        {
            _flushScheduled = false;
            if (!_disposed)
            {
                _store.Flush();
            }
        });
    }
}
