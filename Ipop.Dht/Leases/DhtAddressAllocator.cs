using System.Net;
using System.Net.NetworkInformation;
using Ipop.Dhcp.Leases;
using Ipop.Dhcp.Server;
using Ipop.Dht.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipop.Dht.Leases;

/// <summary>
/// Virtual addresses from the DHT (DESIGN.md): <c>Create("dhcp:&lt;ns&gt;:&lt;ip&gt;", node address, LeaseTime)</c>
/// on the requested address, then the last lease on disk, then random free ones, until one succeeds. The lease is
/// re-created at about half its time (<see cref="RunAsync"/>), and kept on disk so a restarted host asks for the
/// same address first. A node holds one lease: whatever MAC asks, it gets this node's address.
/// </summary>
/// <remarks>
/// In a private group the lease records carry the member's credential (<see cref="DhtLeaseStore"/>), so they displace
/// records of nodes outside the group wherever the group's name is the namespace; an address such a node still holds
/// (a group of another name) is skipped, and logged once.
/// With a static address (ipop.config AllowStaticAddresses + StaticAddress) only that address is ever created, so
/// no other host leases it; the host configures it itself.
/// </remarks>
internal sealed class DhtAddressAllocator : IAddressAllocator, IDisposable
{
    /// <summary>Random addresses tried per allocation after the requested and remembered ones.</summary>
    public const int MaxRandomCandidates = 16;

    /// <summary>How long a declined address is not offered again (RFC 2131 §4.3.3 leaves it to the server).</summary>
    public static readonly TimeSpan DeclineHold = TimeSpan.FromMinutes(10);

    /// <summary>Wait before the next try when the DHT could not take or renew a lease.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly ILeaseStore _store;
    private readonly string _namespace;
    private readonly AddressPool _pool;
    private readonly string _self;
    private readonly TimeSpan _leaseTime;
    private readonly string? _leaseFile;
    private readonly IPAddress? _staticAddress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IGroupPolicy _policy;
    private readonly HashSet<IPAddress> _nonMemberLogged = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<IPAddress, long> _declined = [];
    private IPAddress? _held;
    private long _createdAt;

    /// <param name="self">This node's address as text: the value of its lease records.</param>
    /// <param name="leaseFile">Where the last lease is kept (null: nowhere).</param>
    /// <param name="staticAddress">The one address to hold, for a host with a static address; null for DHCP leases.</param>
    /// <param name="policy">Who counts as a group member when an address is held by another; null: the open policy.</param>
    public DhtAddressAllocator(
        ILeaseStore store, string ipopNamespace, AddressPool pool, string self, TimeSpan leaseTime, string? leaseFile,
        IPAddress? staticAddress, TimeProvider time, ILogger? logger = null, IGroupPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(leaseTime, TimeSpan.FromSeconds(2));
        if (staticAddress is not null && (!pool.Contains(staticAddress) || staticAddress.Equals(pool.Network)
            || staticAddress.Equals(pool.Gateway) || staticAddress.Equals(pool.Broadcast)))
        {
            throw new ArgumentException($"The static address {staticAddress} is not a host address of {pool.Network}/{pool.PrefixLength}.", nameof(staticAddress));
        }
        _store = store;
        _namespace = ipopNamespace;
        _pool = pool;
        _self = self;
        _leaseTime = leaseTime;
        _leaseFile = leaseFile;
        _staticAddress = staticAddress;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _policy = policy ?? OpenGroupPolicy.Instance;
    }

    /// <summary>The address this node holds now, or null.</summary>
    public IPAddress? Current => Volatile.Read(ref _held);

    /// <summary>Time left on the DHT record of <see cref="Current"/> (renewed at half the lease), or null.</summary>
    public TimeSpan? Remaining => Current is null ? null : _leaseTime - _time.GetElapsedTime(Volatile.Read(ref _createdAt));

    /// <summary>Raised (on the thread that took the lease) when <see cref="Current"/> changes.</summary>
    public event Action<IPAddress?>? LeaseChanged;

    public async Task<IPAddress?> AllocateAsync(PhysicalAddress mac, IPAddress? requested, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_held is { } held && IsFresh)
            {
                return held;
            }
            if (_held is { } stale)
            {
                if (await TryCreateAsync(stale, cancellationToken).ConfigureAwait(false) == LeaseCreateStatus.Ok)
                {
                    return stale;
                }
                if (_held is not null)
                {
                    return stale;   // the DHT did not answer: keep what we hold, try again at the next request
                }
            }
            var tried = new HashSet<IPAddress>();
            foreach (IPAddress candidate in Candidates(requested, tried))
            {
                tried.Add(candidate);
                if (await TryCreateAsync(candidate, cancellationToken).ConfigureAwait(false) == LeaseCreateStatus.Ok)
                {
                    return candidate;
                }
            }
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> RenewAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool ours = address.Equals(_held);
            if (ours && IsFresh)
            {
                return true;    // just created (an OFFER's REQUEST): no second round trip
            }
            if (_staticAddress is not null && !address.Equals(_staticAddress))
            {
                return false;
            }
            LeaseCreateStatus status = await TryCreateAsync(address, cancellationToken).ConfigureAwait(false);
            return status == LeaseCreateStatus.Ok || (status == LeaseCreateStatus.Failed && ours);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ReleaseAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReleaseHeldAsync(address, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeclineAsync(PhysicalAddress mac, IPAddress address, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _declined[address] = _time.GetTimestamp();
            await ReleaseHeldAsync(address, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Takes a lease as soon as it can (so the host's DHCP client is answered at once) and re-creates it at half
    /// its time until cancelled. Failed attempts are retried every <see cref="RetryInterval"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait = await MaintainOnceAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One step of <see cref="RunAsync"/>: takes or renews the lease when due; returns how long to wait for the next step.</summary>
    internal async Task<TimeSpan> MaintainOnceAsync(CancellationToken cancellationToken)
    {
        IPAddress? held = Current;
        if (held is not null)
        {
            TimeSpan due = (_leaseTime / 2) - _time.GetElapsedTime(Volatile.Read(ref _createdAt));
            if (due > TimeSpan.Zero)
            {
                return due;
            }
            bool renewed = await RenewAsync(PhysicalAddress.None, held, cancellationToken).ConfigureAwait(false);
            return renewed && Current is not null && IsFresh ? _leaseTime / 2 : RetryInterval;
        }
        IPAddress? taken = await AllocateAsync(PhysicalAddress.None, null, cancellationToken).ConfigureAwait(false);
        return taken is null ? RetryInterval : _leaseTime / 2;
    }

    public void Dispose() => _gate.Dispose();

    private bool IsFresh => _time.GetElapsedTime(_createdAt) < _leaseTime / 2;

    /// <summary>The static address alone; else the requested one, the remembered one, then random free ones.</summary>
    private IEnumerable<IPAddress> Candidates(IPAddress? requested, HashSet<IPAddress> tried)
    {
        if (_staticAddress is not null)
        {
            yield return _staticAddress;
            yield break;
        }
        if (requested is not null && _pool.IsLeasable(requested) && !IsDeclined(requested))
        {
            yield return requested;
        }
        if (_leaseFile is not null && LeaseFile.TryLoad(_leaseFile, out LeaseRecord? last, out _)
            && last!.IsUsableFor(_namespace, _pool) && !IsDeclined(last.Address) && !tried.Contains(last.Address))
        {
            yield return last.Address;
        }
        for (int i = 0; i < MaxRandomCandidates; i++)
        {
            IPAddress? next = _pool.PickRandom(a => tried.Contains(a) || IsDeclined(a));
            if (next is null)
            {
                yield break;
            }
            yield return next;
        }
    }

    private bool IsDeclined(IPAddress address)
    {
        if (!_declined.TryGetValue(address, out long since))
        {
            return false;
        }
        if (_time.GetElapsedTime(since) < DeclineHold)
        {
            return true;
        }
        _declined.Remove(address);
        return false;
    }

    /// <summary>Creates (or renews) the lease of <paramref name="address"/>; on success it becomes the one held. Call under the gate.</summary>
    private async Task<LeaseCreateStatus> TryCreateAsync(IPAddress address, CancellationToken cancellationToken)
    {
        string key = LeaseKeys.For(_namespace, address);
        LeaseCreateResult result = await _store.CreateAsync(key, _self, _leaseTime, cancellationToken).ConfigureAwait(false);
        LeaseCreateStatus status = result.Status;
        if (status == LeaseCreateStatus.HeldByAnother && string.Equals(result.Holder, _self, StringComparison.Ordinal))
        {
            status = LeaseCreateStatus.Ok;      // our own record from before a restart
        }
        switch (status)
        {
            case LeaseCreateStatus.Ok:
                Hold(address);
                break;
            case LeaseCreateStatus.HeldByAnother:
                LeaseLog.AddressTaken(_logger, address.ToString(), result.Holder ?? "another node");
                if (result.HolderRecord is { } holder && _policy.CheckLeaseRecord(holder.Writer, holder.SigningKey, holder.Credential) is { } reason
                    && _nonMemberLogged.Add(address))
                {
                    LeaseLog.AddressHeldByNonMember(_logger, address.ToString(), reason);
                }
                if (address.Equals(_held))
                {
                    LeaseLog.LeaseLost(_logger, address.ToString(), result.Holder ?? "another node");
                    SetHeld(null);
                }
                break;
            default:
                LeaseLog.LeaseCreateFailed(_logger, address.ToString(), result.Reason ?? "no answer");
                break;
        }
        return status;
    }

    private void Hold(IPAddress address)
    {
        IPAddress? previous = _held;
        Volatile.Write(ref _createdAt, _time.GetTimestamp());
        if (_leaseFile is not null)
        {
            try
            {
                LeaseFile.Save(_leaseFile, new LeaseRecord(_namespace, address, _time.GetUtcNow() + _leaseTime));
            }
            catch (IOException e)
            {
                LeaseLog.LeaseFileWriteFailed(_logger, _leaseFile, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                LeaseLog.LeaseFileWriteFailed(_logger, _leaseFile, e.Message);
            }
        }
        if (!address.Equals(previous))
        {
            LeaseLog.Leased(_logger, address.ToString(), _namespace);
            SetHeld(address);
        }
    }

    private async Task ReleaseHeldAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (!address.Equals(_held))
        {
            return;
        }
        SetHeld(null);
        await _store.RemoveAsync(LeaseKeys.For(_namespace, address), _self, cancellationToken).ConfigureAwait(false);
        LeaseLog.Released(_logger, address.ToString());
    }

    private void SetHeld(IPAddress? address)
    {
        Volatile.Write(ref _held, address);
        LeaseChanged?.Invoke(address);
    }
}
