using System.Runtime.InteropServices;
using System.Text;
using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tap;

/// <summary>The Linux side: /dev/net/tun, TUNSETIFF, interface ioctls on an AF_INET socket, poll() and an eventfd.</summary>
internal sealed partial class TapDevice
{
    // <linux/if_tun.h>, <linux/sockios.h>, <net/if.h>, <asm-generic/fcntl.h> (x86-64 and arm64 agree on these).
    private const uint TunSetIff = 0x400454ca;      // _IOW('T', 202, int)
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

    private readonly int _fd;
    private readonly int _wakeFd;

    private TapDevice(int fd, int wakeFd, string name, MacAddress mac, int mtu)
    {
        _fd = fd;
        _wakeFd = wakeFd;
        Name = name;
        Mac = mac;
        Mtu = mtu;
    }

    private static TapDevice OpenLinux(string name, int mtu)
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
            WriteInt16(request, IffTap | IffNoPi);
            Ioctl(fd, TunSetIff, request, name, "TUNSETIFF");
            string actualName = ReadName(request);

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
            return new TapDevice(fd, wakeFd, actualName, mac, mtu);
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

    /// <summary>One non-blocking read: the frame's length, or -1 when none is queued.</summary>
    private unsafe int TryRead(Span<byte> buffer)
    {
        while (true)
        {
            nint result;
            fixed (byte* pointer = buffer)
            {
                result = Native.Read(_fd, pointer, (nuint)buffer.Length);
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

    /// <summary>One write of a whole frame; false when the kernel had no room and dropped it.</summary>
    private unsafe bool TryWrite(ReadOnlySpan<byte> frame)
    {
        while (true)
        {
            nint result;
            fixed (byte* pointer = frame)
            {
                result = Native.Write(_fd, pointer, (nuint)frame.Length);
            }
            if (result == frame.Length)
            {
                return true;
            }
            if (result >= 0)
            {
                throw new TapException($"write to {Name}: wrote {result} of {frame.Length} bytes.");
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
