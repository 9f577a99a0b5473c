using Brunet.Messaging;

namespace Brunet.Dht;

/// <summary>
/// A holder's records: the checks every stored record passes (signature, expiry, replay, Create exclusivity,
/// quotas, <see cref="LeaseRecordRule"/>), an in-memory map for reads, and the SQLite copy. Owned by the node loop.
/// Changes are collected and written by <see cref="Flush"/> in one transaction, which the node posts once per burst
/// of changes, so SQLite work stays on the loop but costs one commit per burst rather than one per record.
/// </summary>
internal sealed class DhtStore : IDisposable
{
    private readonly DhtOptions _options;
    private readonly DhtDatabase? _database;
    private readonly Dictionary<string, DhtKeyEntry> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Records, long Bytes)> _writers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Slot, DhtRecord? Record)> _dirty = new(StringComparer.Ordinal);
    private int _recordCount;

    public DhtStore(DhtOptions options, string? databasePath)
    {
        _options = options;
        // Without a path the records live only in memory: no SQLite at all, so a throwaway node costs no page cache.
        _database = databasePath is null ? null : new DhtDatabase(databasePath);
    }

    /// <summary>Records held (values and tombstones). Read from any thread.</summary>
    public int RecordCount => Volatile.Read(ref _recordCount);

    public bool HasUnsavedChanges => _dirty.Count > 0;

    public IEnumerable<DhtKeyEntry> Entries => _keys.Values;

    public int KeyCount => _keys.Count;

    /// <summary>Loads the saved records, dropping expired ones (records were checked when first stored).</summary>
    public int Load(long nowUnixMs)
    {
        int loaded = 0;
        foreach (byte[] encoded in _database?.LoadLive(nowUnixMs) ?? [])
        {
            DhtRecord record;
            try
            {
                record = DhtRecord.Read(encoded, _options.MaxKeyBytes, _options.MaxValueBytes);
            }
            catch (WireFormatException)
            {
                // A row written under other limits; leave it to expire from the file rather than crash.
                continue;
            }
            DhtKeyEntry entry = GetOrAddEntry(record.Key);
            entry.Records.Add(record);
            AddUsage(record, 1);
            loaded++;
        }
        Volatile.Write(ref _recordCount, _recordCount + loaded);
        return loaded;
    }

    /// <summary>Checks and stores one record. On a conflict, <paramref name="conflict"/> is the holder's record.</summary>
    public DhtStoreStatus Apply(DhtRecord record, long nowUnixMs, out DhtRecord? conflict)
    {
        conflict = null;
        if (!record.IsLive(nowUnixMs))
        {
            return DhtStoreStatus.Expired;
        }
        if (record.ExpiresUnixMs - nowUnixMs > (long)(_options.MaxTtl + _options.MaxClockSkew).TotalMilliseconds)
        {
            return DhtStoreStatus.TtlTooLong;
        }
        _keys.TryGetValue(KeyId(record.Key), out DhtKeyEntry? entry);
        DhtRecord? existing = entry?.Records.Find(r => r.SameSlot(record));
        if (existing is not null && existing.IsLive(nowUnixMs))
        {
            if (record.Sequence == existing.Sequence && record.IsIdentical(existing))
            {
                return DhtStoreStatus.Duplicate;
            }
            if (record.Sequence <= existing.Sequence)
            {
                return DhtStoreStatus.Stale;
            }
        }
        if (!record.Verify(_options.Verifier))
        {
            return DhtStoreStatus.BadSignature;
        }
        if (LeaseRecordRule.Check(record, nowUnixMs, out bool displaces) is not null)
        {
            return DhtStoreStatus.BadCredential;
        }
        if (entry is not null)
        {
            if (record.Kind != DhtRecordKind.Delete)
            {
                conflict = FindConflict(entry, record, nowUnixMs, displaces);
                if (conflict is not null)
                {
                    return DhtStoreStatus.Conflict;
                }
            }
            // Values and tombstones have a limit each, so tombstones never crowd out values.
            bool isTombstone = record.Kind == DhtRecordKind.Delete;
            bool adds = existing is null || !existing.IsLive(nowUnixMs) || (existing.Kind == DhtRecordKind.Delete) != isTombstone;
            if (adds && CountLive(entry, record, isTombstone, displaces, nowUnixMs) >= _options.MaxValuesPerKey)
            {
                return DhtStoreStatus.KeyFull;
            }
        }
        (int records, long bytes) = _writers.GetValueOrDefault(WriterId(record));
        int addedRecords = existing is null ? 1 : 0;
        long addedBytes = record.QuotaBytes - (existing?.QuotaBytes ?? 0);
        if (records + addedRecords > _options.MaxRecordsPerWriter || bytes + addedBytes > _options.MaxBytesPerWriter)
        {
            return DhtStoreStatus.QuotaExceeded;
        }
        entry ??= GetOrAddEntry(record.Key);
        if (displaces)
        {
            Displace(entry, record, nowUnixMs);
        }
        if (existing is not null)
        {
            entry.Records.Remove(existing);
            AddUsage(existing, -1);
        }
        else
        {
            Volatile.Write(ref _recordCount, _recordCount + 1);
        }
        entry.Records.Add(record);
        AddUsage(record, 1);
        MarkDirty(record.SlotId, record);
        return DhtStoreStatus.Stored;
    }

    /// <summary>The live records (values and tombstones) under a key.</summary>
    public List<DhtRecord> Get(ReadOnlySpan<byte> key, long nowUnixMs)
    {
        if (!_keys.TryGetValue(KeyId(key), out DhtKeyEntry? entry))
        {
            return [];
        }
        return entry.Records.FindAll(r => r.IsLive(nowUnixMs));
    }

    /// <summary>Forgets <paramref name="records"/> under a key (handed on to the key's holders); newer ones stay.</summary>
    public void RemoveRecords(DhtKeyEntry entry, List<DhtRecord> records)
    {
        int removed = 0;
        foreach (DhtRecord record in records)
        {
            if (entry.Records.Remove(record))
            {
                AddUsage(record, -1);
                MarkDirty(record.SlotId, null);
                removed++;
            }
        }
        if (entry.Records.Count == 0 && _keys.TryGetValue(KeyId(entry.Key), out DhtKeyEntry? current) && current == entry)
        {
            _keys.Remove(KeyId(entry.Key));
        }
        Volatile.Write(ref _recordCount, _recordCount - removed);
    }

    /// <summary>Drops expired records; returns how many.</summary>
    public int PurgeExpired(long nowUnixMs)
    {
        int purged = 0;
        List<string>? emptyKeys = null;
        foreach ((string id, DhtKeyEntry entry) in _keys)
        {
            for (int i = entry.Records.Count - 1; i >= 0; i--)
            {
                DhtRecord record = entry.Records[i];
                if (!record.IsLive(nowUnixMs))
                {
                    entry.Records.RemoveAt(i);
                    AddUsage(record, -1);
                    MarkDirty(record.SlotId, null);
                    purged++;
                }
            }
            if (entry.Records.Count == 0)
            {
                (emptyKeys ??= []).Add(id);
            }
        }
        if (emptyKeys is not null)
        {
            foreach (string id in emptyKeys)
            {
                _keys.Remove(id);
            }
        }
        Volatile.Write(ref _recordCount, _recordCount - purged);
        return purged;
    }

    /// <summary>Writes the changes collected since the last flush in one transaction.</summary>
    public void Flush()
    {
        if (_dirty.Count == 0)
        {
            return;
        }
        _database?.Apply(_dirty);
        _dirty.Clear();
    }

    public void Dispose()
    {
        Flush();
        _database?.Dispose();
    }

    /// <summary>
    /// A held value that <paramref name="record"/>, a group member's Create in its group's namespace, pushes out: another
    /// writer's live value without a credential (<see cref="LeaseRecordRule"/>).
    /// </summary>
    private static bool IsDisplacedBy(DhtRecord held, DhtRecord record, long nowUnixMs) =>
        held.Kind != DhtRecordKind.Delete && held.Credential is null && held.IsLive(nowUnixMs) && !held.SameWriter(record);

    /// <summary>Drops the values <paramref name="record"/> displaces (see <see cref="IsDisplacedBy"/>).</summary>
    private void Displace(DhtKeyEntry entry, DhtRecord record, long nowUnixMs)
    {
        int removed = 0;
        for (int i = entry.Records.Count - 1; i >= 0; i--)
        {
            DhtRecord held = entry.Records[i];
            if (IsDisplacedBy(held, record, nowUnixMs))
            {
                entry.Records.RemoveAt(i);
                AddUsage(held, -1);
                MarkDirty(held.SlotId, null);
                removed++;
            }
        }
        Volatile.Write(ref _recordCount, _recordCount - removed);
    }

    private static DhtRecord? FindConflict(DhtKeyEntry entry, DhtRecord record, long nowUnixMs, bool displaces)
    {
        foreach (DhtRecord held in entry.Records)
        {
            if (held.Kind == DhtRecordKind.Delete || !held.IsLive(nowUnixMs) || (displaces && IsDisplacedBy(held, record, nowUnixMs)))
            {
                continue;
            }
            if (held.SameWriter(record))
            {
                // The writer renews its own value freely; but a Create of a different value over the writer's own
                // Create is refused too (Brunet: Create refuses a different existing value). Remove, then Create.
                if (record.Kind == DhtRecordKind.Create && held.Kind == DhtRecordKind.Create
                    && !held.Value.AsSpan().SequenceEqual(record.Value))
                {
                    return held;
                }
                continue;
            }
            // A Create needs the key free of other writers' values; a Put is refused only by another's Create.
            if (record.Kind == DhtRecordKind.Create || held.Kind == DhtRecordKind.Create)
            {
                return held;
            }
        }
        return null;
    }

    private static int CountLive(DhtKeyEntry entry, DhtRecord record, bool tombstones, bool displaces, long nowUnixMs)
    {
        int count = 0;
        foreach (DhtRecord held in entry.Records)
        {
            if (held.IsLive(nowUnixMs) && (held.Kind == DhtRecordKind.Delete) == tombstones && !(displaces && IsDisplacedBy(held, record, nowUnixMs)))
            {
                count++;
            }
        }
        return count;
    }

    private static string KeyId(ReadOnlySpan<byte> key) => Convert.ToBase64String(key);

    private static string WriterId(DhtRecord record) => Convert.ToBase64String(record.SigningKey);

    private DhtKeyEntry GetOrAddEntry(byte[] key)
    {
        string id = KeyId(key);
        if (!_keys.TryGetValue(id, out DhtKeyEntry? entry))
        {
            entry = new DhtKeyEntry(key, DhtPlacement.Points(key, _options.ReplicaPoints));
            _keys.Add(id, entry);
        }
        return entry;
    }

    private void AddUsage(DhtRecord record, int sign)
    {
        string id = WriterId(record);
        (int records, long bytes) = _writers.GetValueOrDefault(id);
        records += sign;
        bytes += sign * record.QuotaBytes;
        if (records <= 0)
        {
            _writers.Remove(id);
        }
        else
        {
            _writers[id] = (records, bytes);
        }
    }

    private void MarkDirty(byte[] slot, DhtRecord? record) => _dirty[Convert.ToBase64String(slot)] = (slot, record);
}
