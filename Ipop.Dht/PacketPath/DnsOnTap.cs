using System.Buffers;
using Ipop.Dht.Dns;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// The <c>.ipop</c> name server on the virtual gateway address: a DNS query the host sends to the gateway on UDP 53
/// (a copy, since the frame's buffer is reused) is answered through the DHT off the read path, and the answer is
/// written back to the TAP as a frame from the gateway.
/// </summary>
internal sealed class DnsOnTap(DnsResponder responder, Action<ReadOnlySpan<byte>> writeToTap, uint gateway)
{
    public const ushort Port = 53;

    /// <summary>Queries answered (any answer, NXDOMAIN included).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    private long _answered;

    /// <summary>True when the frame is a query for us; its answer is then on its way.</summary>
    public bool TryHandle(ReadOnlySpan<byte> frame, in Ipv4Header ip, in UdpHeader udp, int payloadOffset, int payloadLength)
    {
        if (udp.DestinationPort != Port || ip.Destination != gateway || payloadLength <= 0)
        {
            return false;
        }
        if (!EthernetHeader.TryRead(frame, out EthernetHeader ethernet))
        {
            return false;
        }
        byte[] query = frame.Slice(payloadOffset, payloadLength).ToArray();
        _ = AnswerAsync(query, ethernet.Source, ip.Source, udp.SourcePort);
        return true;
    }

    private async Task AnswerAsync(byte[] query, MacAddress hostMac, uint hostIp, ushort hostPort)
    {
        byte[] frame = ArrayPool<byte>.Shared.Rent(FrameBuilder.UdpPayloadOffset + 1500);
        try
        {
            int length = await responder.AnswerAsync(query, frame.AsMemory(FrameBuilder.UdpPayloadOffset, 1500)).ConfigureAwait(false);
            if (length == 0)
            {
                return;
            }
            int frameLength = FrameBuilder.WriteUdpHeaders(frame, hostMac, MacAddress.VirtualGateway, gateway, hostIp, Port, hostPort, length);
            writeToTap(frame.AsSpan(0, frameLength));
            Interlocked.Increment(ref _answered);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame, clearArray: true);
        }
    }
}
