using Brunet.Addressing;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Routing;

namespace Brunet.Dht;

public sealed partial class DhtNode
{
    private void Write(DhtRecordKind kind, byte[] key, byte[] value, TimeSpan ttl, Action<DhtPutResult> done)
    {
        DhtRecord record = Sign(kind, key, value, NowUnixMs + (long)ttl.TotalMilliseconds);
        SendToPoints(record, answers => done(Decide(answers)));
    }

    private void Remove(byte[] key, byte[] value, Action<DhtPutResult> done)
    {
        long now = NowUnixMs;
        // The tombstone must outlive the value it withdraws, or a replay of the value would come back after it.
        DhtRecord probe = new(DhtRecordKind.Delete, key, value, _host.Address, _host.Signer.SigningPublicKey.ToArray(), 0, 0, []);
        long expires = _written.TryGetValue(Convert.ToBase64String(probe.SlotId), out DhtRecord? known) && known.IsLive(now)
            ? Math.Max(known.ExpiresUnixMs, now + 1000)
            : now + (long)_options.MaxTtl.TotalMilliseconds;
        DhtRecord tombstone = Sign(DhtRecordKind.Delete, key, value, expires);
        SendToPoints(tombstone, answers => done(Decide(answers)));
    }

    private DhtPutResult Decide(PointAnswer[] answers)
    {
        int accepted = answers.Count(a => a.Accepted);
        if (accepted >= _options.Majority)
        {
            return DhtPutResult.Ok(accepted);
        }
        if (BestHolder(answers) is { } holder && holder.Points >= _options.Majority)
        {
            return DhtPutResult.HeldByAnother(ToValue(holder.Record, NowUnixMs), accepted);
        }
        string refusals = string.Join(", ", answers.Where(a => a.Answered && !a.Accepted).Select(a => a.Status).Distinct());
        return DhtPutResult.Failed(
            $"stored at {accepted} of {answers.Length} replica points" + (refusals.Length > 0 ? $" (refused: {refusals})" : ""), accepted);
    }

    /// <summary>
    /// One round of Create. Each replica point stores the first Create it sees and refuses other writers' while it
    /// is live, so a writer that gets a majority of points holds the key and no other writer can get one (two
    /// majorities share a point, which would have had to accept both). A writer without a majority withdraws its
    /// partial records with signed tombstones; if another writer holds a majority it reports that holder, otherwise
    /// (a split vote) it retries after a random, doubling back-off, so one contender eventually runs alone.
    /// </summary>
    private void CreateRound(byte[] key, byte[] value, TimeSpan ttl, byte[]? credential, int attempt, Action<DhtPutResult> done)
    {
        DhtRecord record = Sign(DhtRecordKind.Create, key, value, NowUnixMs + (long)ttl.TotalMilliseconds, credential);
        SendToPoints(record, answers =>
        {
            int accepted = answers.Count(a => a.Accepted);
            if (accepted >= _options.Majority)
            {
                RepairRefusedPointsLater(record, answers);
                done(DhtPutResult.Ok(accepted));
                return;
            }
            if (accepted > 0)
            {
                DhtRecord undo = Sign(DhtRecordKind.Delete, key, value, record.ExpiresUnixMs);
                SendToPoints(undo, _ => { });
            }
            if (BestHolder(answers) is { } holder && holder.Points >= _options.Majority)
            {
                done(DhtPutResult.HeldByAnother(ToValue(holder.Record, NowUnixMs), 0));
                return;
            }
            if (attempt + 1 >= _options.MaxCreateAttempts)
            {
                done(DhtPutResult.Failed($"no writer won a majority of replica points in {attempt + 1} rounds", 0));
                return;
            }
            double ceiling = _options.CreateBackoff.TotalMilliseconds * (1 << Math.Min(attempt, 10));
            TimeSpan wait = TimeSpan.FromMilliseconds((ceiling / 4) + (_random.NextDouble() * ceiling));
            Schedule(wait, () => CreateRound(key, value, ttl, credential, attempt + 1, done));
        });
    }

    /// <summary>
    /// Points that refused a won Create held a loser's partial record, which the loser withdraws; push the winner's
    /// record there again afterwards so every point holds it.
    /// </summary>
    private void RepairRefusedPointsLater(DhtRecord record, PointAnswer[] answers)
    {
        Address[] refused = [.. answers.Where(a => a.Answered && a.Status == DhtStoreStatus.Conflict).Select(a => a.Point)];
        if (refused.Length == 0)
        {
            return;
        }
        Schedule(_options.CreateRepairDelay, () =>
        {
            if (!_written.TryGetValue(Convert.ToBase64String(record.SlotId), out DhtRecord? latest) || latest.Sequence != record.Sequence)
            {
                return;   // renewed or removed since
            }
            byte[] body = DhtWire.WriteStoreRequest(replicate: true, [record]);
            foreach (Address point in refused)
            {
                Interlocked.Increment(ref _repairsSent);
                _host.Call(RpcTarget.Routed(point, RoutingMode.Closest), DhtMethods.Store, body, _ => { });
            }
        });
    }

    private static (DhtRecord Record, int Points)? BestHolder(PointAnswer[] answers)
    {
        (DhtRecord Record, int Points)? best = null;
        foreach (IGrouping<string, PointAnswer> group in answers
            .Where(a => a.Status == DhtStoreStatus.Conflict && a.Conflict is not null)
            .GroupBy(a => Convert.ToBase64String(a.Conflict!.SigningKey)))
        {
            int points = group.Count();
            if (best is null || points > best.Value.Points)
            {
                best = (group.First().Conflict!, points);
            }
        }
        return best;
    }

    /// <summary>
    /// Sends <paramref name="record"/> to every replica point of its key. <paramref name="done"/> runs once: as soon as
    /// the outcome is settled (a majority of points accepted, or a majority is held by one other writer), or when every
    /// point has answered. A point that answers late still stores the record; only the caller stops waiting, so one lost
    /// reply does not cost an RPC timeout.
    /// </summary>
    private void SendToPoints(DhtRecord record, Action<PointAnswer[]> done)
    {
        Address[] points = PointsOf(_options, record.Key);
        var answers = new PointAnswer[points.Length];
        int remaining = points.Length;
        bool finished = false;
        byte[] body = DhtWire.WriteStoreRequest(replicate: true, [record]);
        for (int i = 0; i < points.Length; i++)
        {
            int index = i;
            Address point = points[i];
            _host.Call(RpcTarget.Routed(point, RoutingMode.Closest), DhtMethods.Store, body, result =>
            {
                answers[index] = ReadStoreAnswer(point, record, result);
                remaining--;
                if (finished)
                {
                    return;
                }
                bool settled = answers.Count(a => a.Accepted) >= _options.Majority
                    || (BestHolder(answers) is { } holder && holder.Points >= _options.Majority);
                if (settled || remaining == 0)
                {
                    finished = true;
                    done((PointAnswer[])answers.Clone());
                }
            });
        }
    }

    private PointAnswer ReadStoreAnswer(Address point, DhtRecord record, RpcResult result)
    {
        if (!result.IsOk)
        {
            return new PointAnswer(point, false, DhtStoreStatus.Expired, null);
        }
        List<(DhtStoreStatus Status, DhtRecord? Conflict)> answers;
        try
        {
            answers = DhtWire.ReadStoreReply(result.Body, _options);
        }
        catch (WireFormatException)
        {
            Interlocked.Increment(ref _malformed);
            return new PointAnswer(point, false, DhtStoreStatus.Expired, null);
        }
        if (answers.Count != 1)
        {
            Interlocked.Increment(ref _malformed);
            return new PointAnswer(point, false, DhtStoreStatus.Expired, null);
        }
        (DhtStoreStatus status, DhtRecord? conflict) = answers[0];
        // A holder's claim that another writer holds the key counts only with that writer's valid, live record.
        if (conflict is not null && (!conflict.Key.AsSpan().SequenceEqual(record.Key) || !conflict.IsLive(NowUnixMs)
            || conflict.Kind == DhtRecordKind.Delete || !conflict.Verify(_options.Verifier)))
        {
            conflict = null;
        }
        return new PointAnswer(point, true, status, conflict);
    }

    private void Get(byte[] key, Action<IReadOnlyList<DhtValue>> done)
    {
        Address[] points = PointsOf(_options, key);
        var replies = new List<DhtRecord>?[points.Length];
        int remaining = points.Length;
        byte[] body = DhtWire.WriteQueryRequest(key);
        for (int i = 0; i < points.Length; i++)
        {
            int index = i;
            _host.Call(RpcTarget.Routed(points[i], RoutingMode.Closest), DhtMethods.Query, body, result =>
            {
                replies[index] = ReadQueryAnswer(result);
                if (--remaining == 0)
                {
                    done(FinishGet(key, points, replies));
                }
            });
        }
    }

    private List<DhtRecord>? ReadQueryAnswer(RpcResult result)
    {
        if (!result.IsOk)
        {
            return null;
        }
        try
        {
            return DhtWire.ReadQueryReply(result.Body, _options);
        }
        catch (WireFormatException)
        {
            Interlocked.Increment(ref _malformed);
            return null;
        }
    }

    private List<DhtValue> FinishGet(byte[] key, Address[] points, List<DhtRecord>?[] replies)
    {
        long now = NowUnixMs;
        var newest = new Dictionary<string, DhtRecord>(StringComparer.Ordinal);
        var checkedSignatures = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (List<DhtRecord>? reply in replies)
        {
            if (reply is null)
            {
                continue;
            }
            // Keep only this key's live, validly signed records: a holder may lie, but it cannot sign for a writer.
            reply.RemoveAll(r => !r.Key.AsSpan().SequenceEqual(key) || !r.IsLive(now) || !IsValid(r, checkedSignatures));
            foreach (DhtRecord record in reply)
            {
                string slot = Convert.ToBase64String(record.SlotId);
                if (!newest.TryGetValue(slot, out DhtRecord? seen) || record.Sequence > seen.Sequence)
                {
                    newest[slot] = record;
                }
            }
        }
        List<DhtRecord> chosen = ChooseValues([.. newest.Values.Where(r => r.Kind != DhtRecordKind.Delete)], replies);
        var keep = new List<DhtRecord>(chosen);
        keep.AddRange(newest.Values.Where(r => r.Kind == DhtRecordKind.Delete));
        RepairPoints(points, replies, keep);
        return [.. chosen.OrderBy(r => r.ExpiresUnixMs).Select(r => ToValue(r, now))];
    }

    private bool IsValid(DhtRecord record, Dictionary<string, bool> checkedSignatures)
    {
        string signature = Convert.ToBase64String(record.Signature);
        if (!checkedSignatures.TryGetValue(signature, out bool valid))
        {
            valid = record.Verify(_options.Verifier);
            checkedSignatures[signature] = valid;
        }
        return valid;
    }

    /// <summary>
    /// The read rule for Created keys. S(w) = the points that returned a live value of writer w. Without a Create
    /// every value counts. Otherwise c = the Create writer with the largest S (ties: the smallest signing key) and
    /// p = the largest S of a writer without a Create: if S(c) &gt;= p only c's values count (a won Create has a
    /// majority, so every reader picks the same writer), else the Creates are leftovers and only the Puts count.
    /// </summary>
    private static List<DhtRecord> ChooseValues(List<DhtRecord> values, List<DhtRecord>?[] replies)
    {
        if (!values.Any(r => r.Kind == DhtRecordKind.Create))
        {
            return values;
        }
        var support = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (List<DhtRecord>? reply in replies)
        {
            if (reply is null)
            {
                continue;
            }
            foreach (string writer in reply.Where(r => r.Kind != DhtRecordKind.Delete).Select(r => Convert.ToBase64String(r.SigningKey)).Distinct())
            {
                support[writer] = support.GetValueOrDefault(writer) + 1;
            }
        }
        var creators = values.Where(r => r.Kind == DhtRecordKind.Create)
            .Select(r => r.SigningKey).DistinctBy(Convert.ToBase64String)
            .OrderByDescending(k => support.GetValueOrDefault(Convert.ToBase64String(k)))
            .ThenBy(k => k, ByteComparer.Instance)
            .ToList();
        byte[] creator = creators[0];
        int creatorSupport = support.GetValueOrDefault(Convert.ToBase64String(creator));
        int putSupport = values.Where(r => !values.Any(c => c.Kind == DhtRecordKind.Create && c.SameWriter(r)))
            .Select(r => support.GetValueOrDefault(Convert.ToBase64String(r.SigningKey)))
            .DefaultIfEmpty(0).Max();
        return creatorSupport >= putSupport
            ? values.FindAll(r => r.SigningKey.AsSpan().SequenceEqual(creator))
            : values.FindAll(r => !values.Any(c => c.Kind == DhtRecordKind.Create && c.SameWriter(r)));
    }

    /// <summary>Pushes the chosen records to the points that answered without them.</summary>
    private void RepairPoints(Address[] points, List<DhtRecord>?[] replies, List<DhtRecord> keep)
    {
        for (int i = 0; i < points.Length; i++)
        {
            List<DhtRecord>? reply = replies[i];
            if (reply is null)
            {
                continue;
            }
            List<DhtRecord> missing = keep.FindAll(r => !reply.Any(held => held.SameSlot(r) && held.Sequence >= r.Sequence));
            if (missing.Count == 0)
            {
                continue;
            }
            Interlocked.Add(ref _repairsSent, missing.Count);
            foreach (List<DhtRecord> batch in Batches(missing))
            {
                _host.Call(RpcTarget.Routed(points[i], RoutingMode.Closest), DhtMethods.Store,
                    DhtWire.WriteStoreRequest(replicate: true, batch), _ => { });
            }
        }
    }

    private IEnumerable<List<DhtRecord>> Batches(IEnumerable<DhtRecord> records)
    {
        var batch = new List<DhtRecord>();
        int bytes = 0;
        foreach (DhtRecord record in records)
        {
            if (batch.Count > 0 && (bytes + record.EncodedSize > _options.MaxBatchBytes || batch.Count >= _options.MaxRecordsPerMessage))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }
            batch.Add(record);
            bytes += record.EncodedSize;
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>One replica point's answer to a store: not answered (timeout, error), or a status.</summary>
    private readonly record struct PointAnswer(Address Point, bool Answered, DhtStoreStatus Status, DhtRecord? Conflict)
    {
        public bool Accepted => Answered && Status is DhtStoreStatus.Stored or DhtStoreStatus.Duplicate;
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static ByteComparer Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
