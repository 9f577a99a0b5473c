namespace Ipop.Dht.Leases;

/// <summary>The outcome of <see cref="ILeaseStore.CreateAsync"/>.</summary>
/// <param name="Holder">The value holding the key when <see cref="Status"/> is HeldByAnother, if known.</param>
/// <param name="Reason">Why it failed, for the log.</param>
/// <param name="HolderRecord">The holder's record when <see cref="Status"/> is HeldByAnother, if known: its writer and credential.</param>
internal sealed record LeaseCreateResult(LeaseCreateStatus Status, string? Holder = null, string? Reason = null, LeaseValue? HolderRecord = null)
{
    public static LeaseCreateResult Ok { get; } = new(LeaseCreateStatus.Ok);
}
