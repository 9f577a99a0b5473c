namespace Ipop.Dht.PacketPath;

/// <summary>The host's side of the VPN: Ethernet frames in and out (the TAP device; a fake in tests).</summary>
internal interface IFrameDevice
{
    /// <summary>The device's own MAC (the host's end).</summary>
    MacAddress Mac { get; }

    int Mtu { get; }

    /// <summary>Reads one frame (Ethernet header first) and returns its length. One reader at a time.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes one frame to the host. Any thread.</summary>
    void Write(ReadOnlySpan<byte> frame);
}
