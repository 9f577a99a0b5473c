using System.Buffers.Binary;

namespace Ipop.Dht.PacketPath;

/// <summary>
/// Receive offload in software (GRO): consecutive in-order segments of one TCP/IPv4 flow from one batch of datagrams
/// become one large frame the TAP takes as GSO, so the host's TCP handles one packet where it handled up to ~50. The
/// merge rules follow Linux's tcp_gro_receive: same addresses, ports, ACK number and options; only ACK or ACK|PSH;
/// sequence numbers contiguous; all segments full-size but the last, which closes the frame (as PSH does).
/// </summary>
/// <remarks>One per receive thread; not thread-safe. The segments were authenticated by the edge's AEAD, so the merged
/// frame goes with its checksum left to the host (NEEDS_CSUM), which does not verify it on local delivery.</remarks>
internal sealed class TcpCoalescer
{
    private const int EthernetHeaderSize = 14;
    private const int MaxFrame = EthernetHeaderSize + 65_535;
    private const byte ProtocolTcp = 6;
    private const byte TcpAck = 0x10;
    private const byte TcpPsh = 0x08;

    private readonly byte[] _frame = GC.AllocateUninitializedArray<byte>(MaxFrame);
    private int _length;          // 0: nothing pending
    private int _segments;
    private int _segmentSize;
    private int _ipHeaderLength;
    private int _tcpHeaderLength;
    private uint _nextSequence;
    private bool _closed;

    private long _coalesced;

    /// <summary>GSO frames of several segments written since the last call.</summary>
    public long TakeCoalesced()
    {
        long count = _coalesced;
        _coalesced = 0;
        return count;
    }

    /// <summary>Takes <paramref name="frame"/> into the pending frame, or flushes and starts anew, or writes it as is.</summary>
    public void Add(ReadOnlySpan<byte> frame, IFrameDevice device, IGsoFrameWriter gso)
    {
        if (!TryRead(frame, out int ipHeaderLength, out int tcpHeaderLength, out int payload, out byte flags))
        {
            Flush(device, gso);
            device.Write(frame);
            return;
        }
        if (_length > 0 && CanAppend(frame, ipHeaderLength, tcpHeaderLength, payload))
        {
            int headers = EthernetHeaderSize + ipHeaderLength + tcpHeaderLength;
            frame.Slice(headers, payload).CopyTo(_frame.AsSpan(_length));
            _length += payload;
            _segments++;
            _nextSequence += (uint)payload;
            if (payload < _segmentSize || (flags & TcpPsh) != 0)
            {
                _frame[EthernetHeaderSize + _ipHeaderLength + 13] |= (byte)(flags & TcpPsh);
                _closed = true;
            }
            return;
        }
        Flush(device, gso);
        frame.CopyTo(_frame);
        _length = frame.Length;
        _segments = 1;
        _segmentSize = payload;
        _ipHeaderLength = ipHeaderLength;
        _tcpHeaderLength = tcpHeaderLength;
        _nextSequence = BinaryPrimitives.ReadUInt32BigEndian(frame[(EthernetHeaderSize + ipHeaderLength + 4)..]) + (uint)payload;
        _closed = (flags & TcpPsh) != 0;
    }

    /// <summary>Writes the pending frame: as it came if it is one segment, else as GSO.</summary>
    public void Flush(IFrameDevice device, IGsoFrameWriter gso)
    {
        if (_length == 0)
        {
            return;
        }
        Span<byte> frame = _frame.AsSpan(0, _length);
        _length = 0;
        if (_segments == 1)
        {
            device.Write(frame);
            return;
        }
        Span<byte> ip = frame[EthernetHeaderSize..];
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[.._ipHeaderLength]));
        // NEEDS_CSUM wants the pseudo-header sum (with the whole TCP length), folded but not complemented.
        uint pseudo = InternetChecksum.Add(0, ip.Slice(12, 8)) + ProtocolTcp + (uint)(ip.Length - _ipHeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[(_ipHeaderLength + 16)..], (ushort)~InternetChecksum.Finish(pseudo));
        gso.WriteTcp4Gso(frame, _segmentSize);
        _coalesced++;
    }

    // A TCP/IPv4 data segment without options in IP's flags or fragments, carrying only ACK or ACK|PSH.
    private static bool TryRead(ReadOnlySpan<byte> frame, out int ipHeaderLength, out int tcpHeaderLength, out int payload, out byte flags)
    {
        ipHeaderLength = tcpHeaderLength = payload = 0;
        flags = 0;
        if (frame.Length < EthernetHeaderSize + 40 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
        {
            return false;
        }
        ReadOnlySpan<byte> ip = frame[EthernetHeaderSize..];
        ipHeaderLength = (ip[0] & 0x0f) * 4;
        if ((ip[0] >> 4) != 4 || ipHeaderLength < 20 || ip[9] != ProtocolTcp || BinaryPrimitives.ReadUInt16BigEndian(ip[2..]) != ip.Length
            || (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3fff) != 0 || ip.Length < ipHeaderLength + 20)
        {
            return false;
        }
        tcpHeaderLength = (ip[ipHeaderLength + 12] >> 4) * 4;
        flags = ip[ipHeaderLength + 13];
        payload = ip.Length - ipHeaderLength - tcpHeaderLength;
        return tcpHeaderLength >= 20 && payload > 0 && (flags == TcpAck || flags == (TcpAck | TcpPsh));
    }

    private bool CanAppend(ReadOnlySpan<byte> frame, int ipHeaderLength, int tcpHeaderLength, int payload)
    {
        if (_closed || ipHeaderLength != _ipHeaderLength || tcpHeaderLength != _tcpHeaderLength || payload > _segmentSize
            || _length + payload > MaxFrame)
        {
            return false;
        }
        ReadOnlySpan<byte> ip = frame[EthernetHeaderSize..];
        ReadOnlySpan<byte> pending = _frame.AsSpan(EthernetHeaderSize);
        ReadOnlySpan<byte> tcp = ip[ipHeaderLength..];
        ReadOnlySpan<byte> pendingTcp = pending[ipHeaderLength..];
        return ip[1] == pending[1]                                                   // TOS
            && ip[8] == pending[8]                                                   // TTL
            && ip.Slice(12, 8).SequenceEqual(pending.Slice(12, 8))                   // addresses
            && tcp[..4].SequenceEqual(pendingTcp[..4])                               // ports
            && BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) == _nextSequence
            && tcp.Slice(8, 4).SequenceEqual(pendingTcp.Slice(8, 4))                 // ACK number
            && tcp[20..tcpHeaderLength].SequenceEqual(pendingTcp[20..tcpHeaderLength]);   // options
    }
}
