namespace Brunet.Messaging.Rpc;

/// <summary>
/// Mean and deviation of round-trip times (Jacobson/Karels smoothing, RFC 6298 gains). The retransmit timeout is
/// mean + 6 deviations, at least <see cref="MinTimeout"/> (Brunet's RPC rule).
/// </summary>
public sealed class RttEstimator(TimeSpan minTimeout, TimeSpan maxTimeout)
{
    private double _meanMs = -1;
    private double _deviationMs;

    public TimeSpan MinTimeout { get; } = minTimeout;

    public TimeSpan Mean => TimeSpan.FromMilliseconds(Math.Max(_meanMs, 0));

    public void AddSample(TimeSpan rtt)
    {
        double sample = rtt.TotalMilliseconds;
        if (_meanMs < 0)
        {
            _meanMs = sample;
            _deviationMs = sample / 2;
            return;
        }
        _deviationMs = (0.75 * _deviationMs) + (0.25 * Math.Abs(_meanMs - sample));
        _meanMs = (0.875 * _meanMs) + (0.125 * sample);
    }

    public TimeSpan Timeout
    {
        get
        {
            if (_meanMs < 0)
            {
                return MinTimeout;
            }
            double ms = _meanMs + (6 * _deviationMs);
            return TimeSpan.FromMilliseconds(Math.Clamp(ms, MinTimeout.TotalMilliseconds, maxTimeout.TotalMilliseconds));
        }
    }
}
