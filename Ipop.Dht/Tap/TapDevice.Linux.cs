using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tap;

/// <summary>The Linux side: /dev/net/tun, TUNSETIFF, interface ioctls on an AF_INET socket, poll() and an eventfd.</summary>
internal sealed partial class TapDevice
{
    // <linux/if_tun.h>, <linux/sockios.h>, <net/if.h>, <asm-generic/fcntl.h> (x86-64 and arm64 agree on these).
    private const uint TunSetIff = 0x400454ca;      // _IOW('T', 202, int)
    private const uint TunSetOffload = 0x400454d0;  // _IOW('T', 208, unsigned int)
    private const uint TunFCsum = 0x01;
    private const uint TunFTso4 = 0x02;
    private const short IffVnetHdr = 0x4000;
    private const uint SiocGIfFlags = 0x8913;
    private const uint SiocSIfFlags = 0x8914;
    private const uint SiocSIfMtu = 0x8922;
    private const uint SiocGIfHwAddr = 0x8927;
    private const short IffUp = 0x0001;
    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;
    private const int ORdwr = 0x0002;
    private const int ONonBlock = 0x0800;
    private const int OCloExec = 0x80000;
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const short PollIn = 0x0001;
    private const int EthernetHeaderSize = 14;

    // errno values
    private const int EPerm = 1;
    private const int ENoEnt = 2;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EAcces = 13;
    private const int EBusy = 16;
    private const int ENoDev = 19;
    private const int ENoBufs = 105;

    /// <summary>struct ifreq: a 16-byte name, then a 24-byte union (flags, mtu or sockaddr).</summary>
    private const int IfReqSize = 40;
    private const int IfReqUnionOffset = 16;

    private static readonly byte[] s_noOffloadHeader = GC.AllocateArray<byte>(TapOffload.HeaderSize, pinned: true);

    private readonly int _fd;
    private readonly int _wakeFd;

    // With offloads: every read starts with a virtio_net_hdr, and a TSO frame (up to 64 KiB) is read here whole and
    // handed out one segment per read. One reader at a time, so no lock.
    private readonly byte[]? _offloadBuffer;
    private TcpSegmentPlan _segments;
    private int _segmentFrameLength;
    private int _nextSegment;

    // The TSO frame the last read returned whole (WholeTso), kept in _offloadBuffer until the next read.
    private TcpSegmentPlan _whole;
    private int _wholeFrameLength;
    private int _lastSegmentSize;
    private bool _lastEcn;

    private TapDevice(int fd, int wakeFd, string name, MacAddress mac, int mtu, bool offload)
    {
        _fd = fd;
        _wakeFd = wakeFd;
        Name = name;
        Mac = mac;
        Mtu = mtu;
        if (offload)
        {
            _offloadBuffer = GC.AllocateUninitializedArray<byte>(TapOffload.HeaderSize + 65_536 + 64);
        }
    }

    /// <summary>True when the host hands over TSO frames and partial checksums, which reads complete in software.</summary>
    public bool Offload => _offloadBuffer is not null;

    /// <summary>
    /// True: a read returns a TSO frame whole (into a buffer of at least 64 KiB + 14 bytes), its checksum partial, and
    /// <see cref="LastSegmentSize"/> says so; the reader sends it as a super-frame or calls <see cref="SplitLast"/>.
    /// False (the default): TSO frames are read as their segments. Set before reading.
    /// </summary>
    public bool WholeTso { get; set; }

    /// <inheritdoc/>
    public int LastSegmentSize => _lastSegmentSize;

    /// <inheritdoc/>
    public bool LastEcn => _lastEcn;

    /// <inheritdoc/>
    public void SplitLast(ReadOnlySpan<byte> frame)
    {
        if (_lastSegmentSize == 0 || frame.Length != _wholeFrameLength || _offloadBuffer is not { } raw)
        {
            return;
        }
        frame.CopyTo(raw.AsSpan(TapOffload.HeaderSize));     // a no-op copy when the read was not direct
        _segments = _whole;
        _segmentFrameLength = _wholeFrameLength;
        _nextSegment = 0;
        _lastSegmentSize = 0;
    }

    /// <summary>True while segments of the last TSO frame are still to be read.</summary>
    public bool HasPendingSegments => _nextSegment < _segments.Count;

    /// <summary>TSO frames the host handed over whole (each read back as several frames).</summary>
    public long OffloadedFrames => Interlocked.Read(ref _offloadedFrames);

    private long _offloadedFrames;

    private static TapDevice OpenLinux(string name, int mtu, bool offload)
    {
        int fd = Native.Open("/dev/net/tun", ORdwr | ONonBlock | OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENoEnt or ENoDev => new TapException("/dev/net/tun does not exist: load the tun module (modprobe tun) or give the container the device.", errno),
                EPerm or EAcces => new TapException("Cannot open /dev/net/tun: needs root (CAP_NET_ADMIN).", errno),
                _ => Failure("open /dev/net/tun", errno),
            };
        }
        int control = -1;
        int wakeFd = -1;
        try
        {
            Span<byte> request = stackalloc byte[IfReqSize];
            WriteName(request, name);
            WriteInt16(request, (short)(IffTap | IffNoPi | (offload ? IffVnetHdr : 0)));
            Ioctl(fd, TunSetIff, request, name, "TUNSETIFF");
            string actualName = ReadName(request);
            if (offload)
            {
                // The argument is the flag word itself, not a pointer to it.
                unsafe
                {
                    if (Native.Ioctl(fd, TunSetOffload, (byte*)(nint)(TunFCsum | TunFTso4)) < 0)
                    {
                        throw Failure($"TUNSETOFFLOAD on {actualName}", Marshal.GetLastPInvokeError());
                    }
                }
            }

            control = Native.Socket(AfInet, SockDgram | OCloExec, 0);
            if (control < 0)
            {
                throw Failure("socket(AF_INET, SOCK_DGRAM)", Marshal.GetLastPInvokeError());
            }

            request.Clear();
            WriteName(request, actualName);
            MemoryMarshal.Write(request[IfReqUnionOffset..], mtu);      // native int, as the kernel reads it
            Ioctl(control, SiocSIfMtu, request, actualName, "SIOCSIFMTU");

            request.Clear();
            WriteName(request, actualName);
            Ioctl(control, SiocGIfFlags, request, actualName, "SIOCGIFFLAGS");
            short flags = MemoryMarshal.Read<short>(request[IfReqUnionOffset..]);
            WriteInt16(request, (short)(flags | IffUp));
            Ioctl(control, SiocSIfFlags, request, actualName, "SIOCSIFFLAGS");

            request.Clear();
            WriteName(request, actualName);
            Ioctl(control, SiocGIfHwAddr, request, actualName, "SIOCGIFHWADDR");
            MacAddress mac = MacAddress.Read(request[(IfReqUnionOffset + 2)..]);     // sockaddr: sa_family, then sa_data

            wakeFd = Native.EventFd(0, ONonBlock | OCloExec);
            if (wakeFd < 0)
            {
                throw Failure("eventfd", Marshal.GetLastPInvokeError());
            }
            return new TapDevice(fd, wakeFd, actualName, mac, mtu, offload);
        }
        catch
        {
            Native.Close(fd);
            if (wakeFd >= 0)
            {
                Native.Close(wakeFd);
            }
            throw;
        }
        finally
        {
            if (control >= 0)
            {
                Native.Close(control);
            }
        }
    }

    /// <summary>
    /// One frame, without blocking: its length, or -1 when none is queued. With offloads, the next segment of a TSO
    /// frame read before, or the next frame with its virtio_net_hdr taken off and its checksum completed.
    /// </summary>
    private int TryRead(Span<byte> buffer)
    {
        if (_offloadBuffer is not { } raw)
        {
            return TryReadRaw(buffer);
        }
        _lastSegmentSize = 0;
        while (true)
        {
            if (_nextSegment < _segments.Count)
            {
                ReadOnlySpan<byte> whole = raw.AsSpan(TapOffload.HeaderSize, _segmentFrameLength);
                if (buffer.Length < _segments.HeaderLength + _segments.SegmentSize)
                {
                    _segments = default;     // the caller's buffer is smaller than the MTU: drop the rest
                    Interlocked.Increment(ref _droppedReads);
                    continue;
                }
                return TapOffload.WriteSegment(whole, _segments, _nextSegment++, buffer);
            }
            // Whole frames into a caller's buffer that takes any: read there directly (readv), no copy of 64 KB.
            bool direct = WholeTso && buffer.Length >= raw.Length - TapOffload.HeaderSize;
            int length = direct ? TryReadRawV(raw.AsSpan(0, TapOffload.HeaderSize), buffer) : TryReadRaw(raw);
            if (length < 0)
            {
                return -1;
            }
            if (length < TapOffload.HeaderSize)
            {
                Interlocked.Increment(ref _droppedReads);
                continue;
            }
            ReadOnlySpan<byte> header = raw;
            byte flags = header[0];
            byte gsoType = (byte)(header[1] & ~TapOffload.GsoEcn);
            int segmentSize = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
            int checksumStart = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            int checksumOffset = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            Span<byte> frame = direct ? buffer[..(length - TapOffload.HeaderSize)] : raw.AsSpan(TapOffload.HeaderSize, length - TapOffload.HeaderSize);
            if (gsoType == TapOffload.GsoTcpV4)
            {
                if (!TapOffload.TryPlanTcp4(frame, segmentSize, out TcpSegmentPlan plan))
                {
                    Interlocked.Increment(ref _droppedReads);
                    continue;
                }
                Interlocked.Increment(ref _offloadedFrames);
                if (WholeTso && buffer.Length >= frame.Length)
                {
                    if (!direct)
                    {
                        frame.CopyTo(buffer);
                    }
                    _whole = plan;
                    _wholeFrameLength = frame.Length;
                    _lastSegmentSize = segmentSize;
                    _lastEcn = (header[1] & TapOffload.GsoEcn) != 0;
                    return frame.Length;
                }
                if (direct)
                {
                    frame.CopyTo(raw.AsSpan(TapOffload.HeaderSize));    // segments are cut from the device's buffer
                }
                _segments = plan;
                _segmentFrameLength = frame.Length;
                _nextSegment = 0;
                continue;
            }
            if (gsoType != TapOffload.GsoNone
                || ((flags & TapOffload.NeedsChecksum) != 0 && !TapOffload.TryCompleteChecksum(frame, checksumStart, checksumOffset))
                || frame.Length > buffer.Length)
            {
                Interlocked.Increment(ref _droppedReads);
                continue;
            }
            if (!direct)
            {
                frame.CopyTo(buffer);
            }
            return frame.Length;
        }
    }

    /// <summary>One non-blocking readv() into two buffers (the virtio_net_hdr, then the frame): the length, or -1.</summary>
    private unsafe int TryReadRawV(Span<byte> header, Span<byte> frame)
    {
        Native.IoVec* vectors = stackalloc Native.IoVec[2];
        while (true)
        {
            nint result;
            fixed (byte* first = header)
            fixed (byte* second = frame)
            {
                vectors[0] = new Native.IoVec { Base = first, Length = (nuint)header.Length };
                vectors[1] = new Native.IoVec { Base = second, Length = (nuint)frame.Length };
                result = Native.ReadV(_fd, vectors, 2);
            }
            if (result >= 0)
            {
                return (int)result;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr)
            {
                continue;
            }
            if (errno == EAgain)
            {
                return -1;
            }
            throw Failure($"read from {Name}", errno);
        }
    }

    /// <summary>One non-blocking read(): the length, or -1 when nothing is queued.</summary>
    private int TryReadRaw(Span<byte> buffer) => TryReadRawV(Span<byte>.Empty, buffer);

    /// <summary>A coalesced TCP/IPv4 frame with a GSO virtio_net_hdr; false when the kernel had no room and dropped it.</summary>
    private bool TryWriteGso(ReadOnlySpan<byte> frame, int segmentSize, bool ecn) =>
        TryWriteGso(frame[..EthernetHeaderSize], frame[EthernetHeaderSize..], segmentSize, ecn);

    /// <summary>The same, with the Ethernet header and the IP packet apart (one writev, no copy of the packet).</summary>
    private unsafe bool TryWriteGso(ReadOnlySpan<byte> ethernet, ReadOnlySpan<byte> packet, int segmentSize, bool ecn)
    {
        int ipHeaderLength = (packet[0] & 0x0f) * 4;
        int tcpHeaderLength = (packet[ipHeaderLength + 12] >> 4) * 4;
        byte* header = stackalloc byte[TapOffload.HeaderSize];
        Span<byte> fields = new(header, TapOffload.HeaderSize);
        fields[0] = TapOffload.NeedsChecksum;
        fields[1] = (byte)(TapOffload.GsoTcpV4 | (ecn ? TapOffload.GsoEcn : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(fields[2..], (ushort)(EthernetHeaderSize + ipHeaderLength + tcpHeaderLength));
        BinaryPrimitives.WriteUInt16LittleEndian(fields[4..], (ushort)segmentSize);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[6..], (ushort)(EthernetHeaderSize + ipHeaderLength));
        BinaryPrimitives.WriteUInt16LittleEndian(fields[8..], 16);    // the TCP checksum field
        Native.IoVec* vectors = stackalloc Native.IoVec[3];
        while (true)
        {
            nint result;
            fixed (byte* link = ethernet)
            fixed (byte* ip = packet)
            {
                vectors[0] = new Native.IoVec { Base = header, Length = TapOffload.HeaderSize };
                vectors[1] = new Native.IoVec { Base = link, Length = (nuint)ethernet.Length };
                vectors[2] = new Native.IoVec { Base = ip, Length = (nuint)packet.Length };
                result = Native.WriteV(_fd, vectors, 3);
            }
            if (result >= 0)
            {
                return true;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr)
            {
                continue;
            }
            if (errno is EAgain or ENoBufs)
            {
                return false;
            }
            throw Failure($"write to {Name}", errno);
        }
    }

    /// <summary>One write of a whole frame; false when the kernel had no room and dropped it.</summary>
    private unsafe bool TryWrite(ReadOnlySpan<byte> frame)
    {
        int expected = frame.Length + (Offload ? TapOffload.HeaderSize : 0);
        Native.IoVec* vectors = stackalloc Native.IoVec[2];
        while (true)
        {
            nint result;
            fixed (byte* pointer = frame)
            {
                if (Offload)
                {
                    // An all-zero virtio_net_hdr first: a complete frame, checksums to be checked as usual.
                    vectors[0] = new Native.IoVec { Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_noOffloadHeader)), Length = TapOffload.HeaderSize };
                    vectors[1] = new Native.IoVec { Base = pointer, Length = (nuint)frame.Length };
                    result = Native.WriteV(_fd, vectors, 2);
                }
                else
                {
                    result = Native.Write(_fd, pointer, (nuint)frame.Length);
                }
            }
            if (result == expected)
            {
                return true;
            }
            if (result >= 0)
            {
                throw new TapException($"write to {Name}: wrote {result} of {expected} bytes.");
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr)
            {
                continue;
            }
            if (errno is EAgain or ENoBufs)
            {
                return false;
            }
            throw Failure($"write to {Name}", errno);
        }
    }

    /// <summary>Blocks until the TAP is readable (true) or the wake descriptor is signalled for disposal (false).</summary>
    private unsafe bool PollReadable()
    {
        Native.PollFd* fds = stackalloc Native.PollFd[2];
        while (true)
        {
            fds[0] = new Native.PollFd { Fd = _fd, Events = PollIn };
            fds[1] = new Native.PollFd { Fd = _wakeFd, Events = PollIn };
            int result = Native.Poll(fds, 2, -1);
            if (result < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr)
                {
                    continue;
                }
                return false;   // a broken descriptor: end the poller; readers see the failure on their next read
            }
            if (fds[1].Revents != 0 || Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }
            if (fds[0].Revents != 0)
            {
                return true;
            }
        }
    }

    private unsafe void WakePoller()
    {
        ulong one = 1;
        _ = Native.Write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    private void CloseDescriptors()
    {
        Native.Close(_fd);
        Native.Close(_wakeFd);
    }

    private static unsafe void Ioctl(int fd, uint request, Span<byte> ifreq, string device, string what)
    {
        int result;
        fixed (byte* pointer = ifreq)
        {
            result = Native.Ioctl(fd, request, pointer);
        }
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                EPerm or EAcces => new TapException($"{what} on {device}: needs root (CAP_NET_ADMIN).", errno),
                EBusy => new TapException($"{what} on {device}: the device is in use by another process or is not a TAP device.", errno),
                _ => Failure($"{what} on {device}", errno),
            };
        }
    }

    private static TapException Failure(string what, int errno) =>
        new($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);

    private static void WriteName(Span<byte> ifreq, string name) => Encoding.ASCII.GetBytes(name, ifreq[..IfReqUnionOffset]);

    private static string ReadName(ReadOnlySpan<byte> ifreq)
    {
        ReadOnlySpan<byte> name = ifreq[..IfReqUnionOffset];
        int end = name.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? name : name[..end]);
    }

    private static void WriteInt16(Span<byte> ifreq, short value) => MemoryMarshal.Write(ifreq[IfReqUnionOffset..], value);   // native short

    private static unsafe partial class Native
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        public static partial nint Read(int fd, byte* buffer, nuint count);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        public static partial nint Write(int fd, byte* buffer, nuint count);

        [StructLayout(LayoutKind.Sequential)]
        public struct IoVec
        {
            public byte* Base;
            public nuint Length;
        }

        [LibraryImport("libc", EntryPoint = "readv", SetLastError = true)]
        public static partial nint ReadV(int fd, IoVec* vectors, int count);

        [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
        public static partial nint WriteV(int fd, IoVec* vectors, int count);

        // ioctl is variadic; on x86-64 and arm64 Linux a pointer vararg is passed like a fixed argument.
        [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
        public static partial int Ioctl(int fd, nuint request, byte* argument);

        [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
        public static partial int Socket(int domain, int type, int protocol);

        [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
        public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

        [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
        public static partial int EventFd(uint initial, int flags);
    }
}
