namespace Brunet.Nat;

/// <summary>How a <see cref="PortMapper"/> asks its gateway.</summary>
public sealed record PortMapperOptions
{
    /// <summary>Tried in this order; the first that answers wins. Defaults to PCP, NAT-PMP, then UPnP IGD.</summary>
    public IReadOnlyList<PortMappingMethod> Methods { get; init; } = [PortMappingMethod.Pcp, PortMappingMethod.NatPmp, PortMappingMethod.Upnp];

    /// <remarks>Seconds asked for. Defaults to 7200 (RFC 6886 §3.3's recommendation); the mapping is renewed at half its granted lifetime.</remarks>
    public uint RequestedLifetimeSeconds { get; init; } = 7200;

    /// <remarks>
    /// Per PCP and NAT-PMP try: the first retransmission comes after 250 ms and the wait doubles (RFC 6886 §3.1), up
    /// to this budget. Defaults to 500 ms, so a network without a gateway costs about 2 s in all (with the UPnP search).
    /// </remarks>
    public TimeSpan PmpBudget { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <remarks>How long to wait for SSDP answers and each HTTP exchange. Defaults to 1 s.</remarks>
    public TimeSpan UpnpBudget { get; init; } = TimeSpan.FromSeconds(1);

    /// <remarks>After a failed renewal, the next try comes this much later. Defaults to 30 s.</remarks>
    public TimeSpan RetryAfterFailure { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The UPnP mapping's description, shown in the router's table.</summary>
    public string Description { get; init; } = "brunet";
}
