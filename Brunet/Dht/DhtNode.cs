using System.Text;
using Brunet.Addressing;

namespace Brunet.Dht;

/// <summary>
/// One node's part of the DHT: it holds the records of the replica points next to it, serves <see cref="DhtMethods"/>,
/// hands records on when its neighbours change, and runs Put, Create, Remove and Get for local callers.
/// State is owned by the host's loop; the async methods may be called from any thread (they post to the loop).
/// </summary>
/// <remarks>
/// Reads: all replica points are asked. A validly signed, live record counts even if only one point returned it (a
/// forger cannot make one), so losing a region loses nothing while one point of a key survives. Where writers
/// disagree over a Created key, the majority decides: see <see cref="ChooseValues"/>. Points that lacked the chosen
/// records get them pushed (read repair).
/// </remarks>
public sealed partial class DhtNode : IAsyncDisposable
{
    private readonly IDhtHost _host;
    private readonly DhtOptions _options;
    private readonly DhtStore _store;
    private readonly Random _random;
    private readonly Dictionary<string, DhtRecord> _written = new(StringComparer.Ordinal);
    private readonly HashSet<ITimer> _timers = [];
    private ITimer? _maintenanceTimer;
    private ulong _lastSequence;
    private bool _started;
    private bool _disposed;
    private long _operations;
    private long _storesServed;
    private long _queriesServed;
    private long _refused;
    private long _malformed;
    private long _repairsSent;
    private long _recordsHandedOff;

    /// <param name="databasePath">The SQLite file of this node's records; null keeps them in memory.</param>
    /// <param name="random">Back-off jitter; seed it in tests and the simulator.</param>
    public DhtNode(IDhtHost host, DhtOptions options, string? databasePath, Random? random = null)
    {
        _host = host;
        _options = options;
        _random = random ?? Random.Shared;
        _store = new DhtStore(options, databasePath);
        _store.Load(NowUnixMs);
        host.RegisterRpc(DhtMethods.Store, OnStore);
        host.RegisterRpc(DhtMethods.Query, OnQuery);
    }

    /// <summary>Records (values and tombstones) held locally.</summary>
    public int RecordCount => _store.RecordCount;

    /// <summary>Put, Create, Remove and Get calls started here.</summary>
    public long Operations => Interlocked.Read(ref _operations);

    public long StoresServed => Interlocked.Read(ref _storesServed);

    public long QueriesServed => Interlocked.Read(ref _queriesServed);

    /// <summary>Records this node refused to store (bad signature, conflict, replay, quota, ...).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Records pushed to points that lacked them after a read.</summary>
    public long RepairsSent => Interlocked.Read(ref _repairsSent);

    /// <summary>Records pushed to new holders after a neighbour change.</summary>
    public long RecordsHandedOff => Interlocked.Read(ref _recordsHandedOff);

    public DhtOptions Options => _options;

    private long NowUnixMs => _host.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Starts handoff on neighbour changes and the periodic maintenance. Call once, on the loop.</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }
        _started = true;
        _host.ConnectionsChanged += OnConnectionsChanged;
        _maintenanceTimer = _host.Time.CreateTimer(
            _ => _host.Post(() => RunMaintenance()), null, _options.MaintenanceInterval, _options.MaintenanceInterval);
        // A (re)started node pushes what it holds to its neighbours, as after any neighbour change.
        OnConnectionsChanged();
    }

    public Task<DhtPutResult> PutAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        PutAsync(Encoding.UTF8.GetBytes(key), value, ttl, cancellationToken);

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/>, or renews it if this writer put it before.</summary>
    public Task<DhtPutResult> PutAsync(byte[] key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        CheckArguments(key, value, ttl);
        return RunOnLoop<DhtPutResult>(done => Write(DhtRecordKind.Put, key, value, ttl, done), cancellationToken);
    }

    public Task<DhtPutResult> CreateAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        CreateAsync(Encoding.UTF8.GetBytes(key), value, ttl, cancellationToken);

    /// <summary>
    /// Stores <paramref name="value"/> only if no other writer has a live value under <paramref name="key"/>; this
    /// writer may renew. Of many nodes creating one key at once, exactly one gets Ok (see <see cref="CreateRound"/>).
    /// </summary>
    public Task<DhtPutResult> CreateAsync(byte[] key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        CreateAsync(key, value, ttl, credential: null, cancellationToken);

    /// <summary>
    /// A Create whose records carry <paramref name="credential"/> (signed with them; at most
    /// <see cref="DhtRecord.MaxCredentialBytes"/>), e.g. a group member credential for a lease key
    /// (<see cref="LeaseRecordRule"/>). Renewals should carry it too.
    /// </summary>
    public Task<DhtPutResult> CreateAsync(byte[] key, byte[] value, TimeSpan ttl, byte[]? credential, CancellationToken cancellationToken = default)
    {
        CheckArguments(key, value, ttl);
        if (credential is not null && (credential.Length == 0 || credential.Length > DhtRecord.MaxCredentialBytes))
        {
            throw new ArgumentException($"A DHT credential has 1 to {DhtRecord.MaxCredentialBytes} bytes.", nameof(credential));
        }
        return RunOnLoop<DhtPutResult>(done => CreateRound(key, value, ttl, credential, 0, done), cancellationToken);
    }

    public Task<DhtPutResult> RemoveAsync(string key, byte[] value, CancellationToken cancellationToken = default) =>
        RemoveAsync(Encoding.UTF8.GetBytes(key), value, cancellationToken);

    /// <summary>Withdraws this writer's <paramref name="value"/> under <paramref name="key"/> with a signed tombstone.</summary>
    public Task<DhtPutResult> RemoveAsync(byte[] key, byte[] value, CancellationToken cancellationToken = default)
    {
        CheckArguments(key, value, TimeSpan.FromSeconds(1));
        return RunOnLoop<DhtPutResult>(done => Remove(key, value, done), cancellationToken);
    }

    public Task<IReadOnlyList<DhtValue>> GetAsync(string key, CancellationToken cancellationToken = default) =>
        GetAsync(Encoding.UTF8.GetBytes(key), cancellationToken);

    /// <summary>The live values under <paramref name="key"/>, each with its remaining TTL and writer.</summary>
    public Task<IReadOnlyList<DhtValue>> GetAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        if (key.Length == 0 || key.Length > _options.MaxKeyBytes)
        {
            throw new ArgumentException($"A DHT key has 1 to {_options.MaxKeyBytes} bytes.", nameof(key));
        }
        return RunOnLoop<IReadOnlyList<DhtValue>>(done => Get(key, done), cancellationToken);
    }

    /// <summary>Stops timers and closes the database. Call on the node loop, or after the loop has stopped.</summary>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }
        _disposed = true;
        _host.ConnectionsChanged -= OnConnectionsChanged;
        _maintenanceTimer?.Dispose();
        foreach (ITimer timer in _timers)
        {
            timer.Dispose();
        }
        _timers.Clear();
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    private void CheckArguments(byte[] key, byte[] value, TimeSpan ttl)
    {
        if (key.Length == 0 || key.Length > _options.MaxKeyBytes)
        {
            throw new ArgumentException($"A DHT key has 1 to {_options.MaxKeyBytes} bytes.", nameof(key));
        }
        if (value.Length > _options.MaxValueBytes)
        {
            throw new ArgumentException($"A DHT value has at most {_options.MaxValueBytes} bytes.", nameof(value));
        }
        if (ttl < TimeSpan.FromSeconds(1) || ttl > _options.MaxTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, $"A TTL is 1 s to {_options.MaxTtl}.");
        }
    }

    private Task<T> RunOnLoop<T>(Action<Action<T>> start, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenRegistration registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        Interlocked.Increment(ref _operations);
        _host.Post(() =>
        {
            if (_disposed)
            {
                completion.TrySetException(new ObjectDisposedException(nameof(DhtNode)));
                registration.Dispose();
                return;
            }
            start(result =>
            {
                completion.TrySetResult(result);
                registration.Dispose();
            });
        });
        return completion.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the loop after <paramref name="delay"/>, unless the node is disposed.</summary>
    private void Schedule(TimeSpan delay, Action work)
    {
        ITimer? timer = null;
        timer = _host.Time.CreateTimer(_ => _host.Post(() =>
        {
            if (timer is not null && _timers.Remove(timer))
            {
                timer.Dispose();
            }
            if (!_disposed)
            {
                work();
            }
        }), null, delay, Timeout.InfiniteTimeSpan);
        _timers.Add(timer);
    }

    /// <summary>Time-based, strictly increasing: a restarted writer's records still outrank its older ones.</summary>
    private ulong NextSequence()
    {
        ulong fromClock = (ulong)Math.Max(0, NowUnixMs) * 1024;
        _lastSequence = Math.Max(fromClock, _lastSequence + 1);
        return _lastSequence;
    }

    private DhtRecord Sign(DhtRecordKind kind, byte[] key, byte[] value, long expiresUnixMs, byte[]? credential = null)
    {
        DhtRecord record = DhtRecord.Create(_host.Signer, kind, key, value, expiresUnixMs, NextSequence(), credential);
        _written[Convert.ToBase64String(record.SlotId)] = record;
        return record;
    }

    private DhtValue ToValue(DhtRecord record, long nowUnixMs) => new(
        record.Value,
        TimeSpan.FromMilliseconds(Math.Max(0, record.ExpiresUnixMs - nowUnixMs)),
        record.Writer,
        record.SigningKey,
        record.Kind == DhtRecordKind.Create,
        record.Credential);

    private static Address[] PointsOf(DhtOptions options, byte[] key) => DhtPlacement.Points(key, options.ReplicaPoints);
}
