namespace Brunet.Messaging.Rpc;

public sealed record RpcOptions
{
    /// <summary>Smallest retransmit timeout. Brunet: 2 s. Tests shorten it to run fast.</summary>
    public TimeSpan MinTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest retransmit timeout, whatever the RTT estimate says.</summary>
    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Resends after the first send before a call times out. Brunet: up to 5.</summary>
    public int MaxResends { get; init; } = 5;

    /// <summary>Calls waiting for an answer at once; more fail at once as unreachable, so a flood cannot grow memory.</summary>
    public int MaxPending { get; init; } = 4096;

    /// <summary>Answers remembered to serve retransmitted requests without running them twice.</summary>
    public int ReplyCacheSize { get; init; } = 1024;

    /// <summary>How long an answer stays in that cache.</summary>
    public TimeSpan ReplyCacheTime { get; init; } = TimeSpan.FromSeconds(60);
}
