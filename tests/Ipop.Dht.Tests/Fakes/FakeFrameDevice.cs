using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.Fakes;

/// <summary>A TAP that records what the node writes to the host.</summary>
internal sealed class FakeFrameDevice : IFrameDevice
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _written = [];

    public MacAddress Mac { get; } = new(0x0200_0000_0042);

    public int Mtu => 1200;

    public IReadOnlyList<byte[]> Written
    {
        get
        {
            lock (_gate)
            {
                return [.. _written];
            }
        }
    }

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromException<int>(new NotSupportedException("tests call HandleFrame"));

    public void Write(ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            _written.Add(frame.ToArray());
        }
    }
}
