using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brunet.Transport;

/// <summary>
/// Dedicated threads on Linux: a receive thread that blocks in recvmmsg and hands each datagram to its edge's handler
/// (the whole inbound data path runs on it, no thread hop per datagram), and a send thread that drains the send queue
/// with sendmmsg, up to <see cref="SendBatch"/> datagrams per system call.
/// </summary>
public sealed partial class UdpEdgeListener
{
    // Datagrams one recvmmsg may return. Each has a 64 KiB buffer, so a whole datagram is always seen (and the
    // too-long ones dropped); 16 x 64 KiB = 1 MiB per listener, which is why only hot listeners use threads.
    private const int ReceiveBatch = 16;

    // sizeof(struct sockaddr_in6) is 28; room for any address family the socket can report.
    private const int NameSize = 128;

    private const int SolUdp = 17;
    private const int UdpSegment = 103;
    private const int UdpGro = 104;
    private const int MsgTrunc = 0x20;
    private const int ControlSize = 24;          // CMSG_SPACE(sizeof(uint16_t))
    private const int MaxGsoSegments = 64;       // UDP_MAX_SEGMENTS
    private const int MaxGsoBytes = 65_000;      // under IPv4's 65,507 bytes of UDP payload
    private const int EIo = 5;
    private const int EInval = 22;
    private const int EOpNotSupp = 95;
    private const int EMsgSize = 90;
    private const int MsgDontWait = 0x40;
    private const int SolSocket = 1;
    private const int SoSndBufForce = 32;
    private const int SoRcvBufForce = 33;
    private const int ShutRdWr = 2;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EBadF = 9;
    private const int ENotSock = 88;
    private const int EConnRefused = 111;
    private const int ENetUnreach = 101;
    private const int EHostUnreach = 113;
    private const short PollIn = 0x0001;
    private const short PollHup = 0x0010;
    private const short PollNVal = 0x0020;

    private bool _threads;
    private ReceiveBuffers? _receiver;
    private bool _receiveWaiting;
    private long _lastBatch;

    // PollReceive polls only after this long without a received batch: a sparse exchange (a ping, a request), where
    // a reply wakes a sleeping thread; in a stream the receive thread is kept awake by the traffic itself.
    private static readonly long s_busyQuiet = System.Diagnostics.Stopwatch.Frequency / 1000;
    private readonly Lock _receiveGate = new();
    private volatile bool _udpGso = true;

    [ThreadStatic]
    private static bool t_corked;

    /// <summary>
    /// While true on the calling thread, its datagrams go through the send queue even when it is idle, so a burst
    /// (the segments of one TSO frame) leaves in batches: sendmmsg, and UDP GSO for runs of equal-size datagrams to one
    /// end point. Set it before the burst's datagrams but the last, clear it for the last.
    /// </summary>
    public static bool Corked
    {
        get => t_corked;
        set => t_corked = value;
    }

    /// <summary>
    /// With dedicated threads: called on the receive thread before it hands out one batch of datagrams (one recvmmsg),
    /// and <see cref="ReceiveBatchEnded"/> after, so a consumer can merge what one batch brings (GRO). Set before traffic.
    /// </summary>
    public Action? ReceiveBatchStarted { get; set; }

    /// <inheritdoc cref="ReceiveBatchStarted"/>
    public Action? ReceiveBatchEnded { get; set; }

    private (Task Receive, Task Send) StartThreads(UdpEdgeListenerOptions options)
    {
        _threads = true;
        _receiver = new ReceiveBuffers(_socket.AddressFamily);
        ForceBufferSize(SoRcvBufForce, options.SocketReceiveBufferSize);
        ForceBufferSize(SoSndBufForce, options.SocketSendBufferSize);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiveThread = new Thread(() => RunThread(ReceiveThread, received)) { IsBackground = true, Name = "udp-recv " + LocalAddress };
        var sendThread = new Thread(() => RunThread(SendThread, sent)) { IsBackground = true, Name = "udp-send " + LocalAddress };
        receiveThread.Start();
        sendThread.Start();
        return (received.Task, sent.Task);
    }

    private void RunThread(Action<int> body, TaskCompletionSource done)
    {
        // The socket stays open while a thread uses its descriptor; DisposeAsync closes it after both threads end.
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            body((int)_socket.SafeHandle.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            // disposed before the thread started
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
            done.TrySetResult();
        }
    }

    /// <summary>
    /// SO_RCVBUFFORCE / SO_SNDBUFFORCE: with CAP_NET_ADMIN (which a VPN node has) the size asked for is granted
    /// beyond net.core.rmem_max / wmem_max, so a burst of datagrams waits in the kernel instead of being dropped.
    /// Without the capability the call fails and the capped size set by the constructor stays.
    /// </summary>
    private unsafe void ForceBufferSize(int option, int? size)
    {
        if (size is not int value)
        {
            return;
        }
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            _ = Native.SetSockOpt((int)_socket.SafeHandle.DangerousGetHandle(), SolSocket, option, &value, sizeof(int));
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// One sendto with MSG_DONTWAIT from the caller's thread. False when the socket buffer is full (then the datagram
    /// goes to the queue); true when it was sent, or failed in a way that loses only it (counted).
    /// </summary>
    private unsafe bool TrySendNow(UdpEdge edge, ReadOnlySpan<byte> datagram)
    {
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)_socket.SafeHandle.DangerousGetHandle();
            ReadOnlySpan<byte> address = edge.SocketAddress.Buffer.Span[..edge.SocketAddress.Size];
            nint sent;
            fixed (byte* data = datagram)
            fixed (byte* name = address)
            {
                sent = Native.SendTo(fd, data, (nuint)datagram.Length, MsgDontWait, name, (uint)address.Length);
            }
            if (sent >= 0)
            {
                Interlocked.Increment(ref _datagramsSent);
                Interlocked.Add(ref _bytesSent, sent);
                return true;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is EAgain or EIntr)
            {
                return false;
            }
            CountSendError(Marshal.GetPInvokeErrorMessage(errno));
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Frees the receive batch's native memory once the receive thread has ended (DisposeAsync).</summary>
    private void FreeReceiveBuffers()
    {
        lock (_receiveGate)
        {
            _receiver?.Dispose();
            _receiver = null;
        }
    }

    /// <summary>Wakes a receive thread blocked in recvmmsg: shutdown() on a UDP socket makes it return at once.</summary>
    private void WakeReceiveThread()
    {
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            _ = Native.Shutdown((int)_socket.SafeHandle.DangerousGetHandle(), ShutRdWr);
        }
        catch (ObjectDisposedException)
        {
            // already closed
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Busy polling from another thread (a VPN's TAP reader right after it sent, when a reply is due): while the
    /// receive thread sleeps, takes the datagrams the socket holds, without waiting, and delivers them on the calling
    /// thread as the receive thread would (batch hooks included). Returns how many; 0 when none came or the listener
    /// has no receive thread; -1 when the receive thread is awake or delivering (it will take them: stop polling). Saves the receive thread's wake-up on the way of a reply.
    /// </summary>
    public unsafe int PollReceive()
    {
        if (_receiver is null)
        {
            return 0;
        }
        if (!Volatile.Read(ref _receiveWaiting)
            || System.Diagnostics.Stopwatch.GetTimestamp() - Volatile.Read(ref _lastBatch) < s_busyQuiet)
        {
            // The receive thread is awake, or traffic flows (it will be awake again at once): it takes what comes,
            // and polling would only compete with it for the cores.
            return -1;
        }
        if (!_receiveGate.TryEnter())
        {
            // The receive thread is delivering a batch: it takes what follows. Spinning on would wait for a thread
            // that may be preempted on this very core until the spin ends (a 1 ms tail under load).
            return -1;
        }
        bool added = false;
        try
        {
            if (_receiver is not { } receiver || Volatile.Read(ref _disposed) != 0)
            {
                return 0;     // freed by DisposeAsync (under the gate)
            }
            _socket.SafeHandle.DangerousAddRef(ref added);
            return Math.Max(0, ReceiveAndDeliver((int)_socket.SafeHandle.DangerousGetHandle(), receiver));
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
            _receiveGate.Exit();
        }
    }

    private unsafe void ReceiveThread(int fd)
    {
        CancellationToken cancellationToken = _stop.Token;
        EnableGro(fd);
        ReceiveBuffers receiver = _receiver!;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // recvmmsg and delivery under the gate, without waiting: a busy poller (PollReceive) and this thread
                // never deliver at once, and batches reach the handlers in the order the socket gave them.
                int count;
                lock (_receiveGate)
                {
                    count = ReceiveAndDeliver(fd, receiver);
                }
                if (count > 0)
                {
                    continue;
                }
                Volatile.Write(ref _receiveWaiting, true);
                bool readable = count == 0 && WaitReadable(fd);
                Volatile.Write(ref _receiveWaiting, false);
                if (!readable)
                {
                    return;
                }
            }
        }
        finally
        {
            lock (_receiveGate)
            {
                receiver.Clear();   // they held datagrams (ciphertext mostly, handshakes not)
            }
        }
    }

    /// <summary>One recvmmsg without waiting, then the batch delivered: how many datagrams, 0 for none, -1 when the socket is gone.</summary>
    private unsafe int ReceiveAndDeliver(int fd, ReceiveBuffers receiver)
    {
        Native.MMsgHdr* messages = receiver.Messages;
        for (int i = 0; i < ReceiveBatch; i++)
        {
            messages[i] = default;
            messages[i].Header.Name = receiver.Names + (i * NameSize);
            messages[i].Header.NameLength = NameSize;
            messages[i].Header.Iov = &receiver.Vectors[i];
            messages[i].Header.IovLength = 1;
            messages[i].Header.Control = receiver.Controls + (i * ControlSize);
            messages[i].Header.ControlLength = ControlSize;
        }
        int count = Native.RecvMmsg(fd, messages, ReceiveBatch, MsgDontWait, null);
        if (count <= 0)
        {
            int errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (_stop.IsCancellationRequested || errno is EBadF or ENotSock)
            {
                return -1;
            }
            if (errno is EConnRefused or ENetUnreach or EHostUnreach)
            {
                Interlocked.Increment(ref _icmpErrors);
                return 1;     // an ICMP error took the call: look again at once
            }
            if (errno is not (EIntr or EAgain or 0))
            {
                long errors = Interlocked.Increment(ref _receiveErrors);
                if (_errorLog.TryAcquire())
                {
                    EdgeLog.ReceiveFailed(Logger, LocalAddress.ToString(), errors, Marshal.GetPInvokeErrorMessage(errno));
                }
            }
            return 0;
        }
        Volatile.Write(ref _lastBatch, System.Diagnostics.Stopwatch.GetTimestamp());
        InvokeBatchHook(ReceiveBatchStarted);
        try
        {
            DeliverBatch(messages, count, receiver);
        }
        finally
        {
            InvokeBatchHook(ReceiveBatchEnded);
        }
        return count;
    }

    /// <summary>Blocks until the socket is readable; false when it was shut down or closed (disposal).</summary>
    private unsafe bool WaitReadable(int fd)
    {
        Native.PollFd poll = new() { Fd = fd, Events = PollIn };
        while (true)
        {
            poll.Revents = 0;
            int result = Native.Poll(&poll, 1, -1);
            if (result < 0)
            {
                if (Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue;
                }
                return false;
            }
            if (_stop.IsCancellationRequested || (poll.Revents & (PollHup | PollNVal)) != 0)
            {
                return false;
            }
            return true;
        }
    }

    /// <summary>The receive batch's memory: datagram buffers (pinned), names, control data and the message headers.</summary>
    private sealed unsafe class ReceiveBuffers : IDisposable
    {
        public readonly byte[] Buffers = GC.AllocateUninitializedArray<byte>(ReceiveBatch * ReceiveBufferSize, pinned: true);
        public readonly byte[] NameBytes = GC.AllocateArray<byte>(ReceiveBatch * NameSize, pinned: true);
        public readonly byte* Names;
        public readonly byte* Controls = (byte*)NativeMemory.AllocZeroed(ReceiveBatch * ControlSize);
        public readonly Native.MMsgHdr* Messages = (Native.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(ReceiveBatch * sizeof(Native.MMsgHdr)));
        public readonly Native.IoVec* Vectors = (Native.IoVec*)NativeMemory.AllocZeroed((nuint)(ReceiveBatch * sizeof(Native.IoVec)));
        public readonly SocketAddress From;
        public readonly int FullAddressSize;

        public ReceiveBuffers(AddressFamily family)
        {
            byte* bufferBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Buffers));
            Names = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(NameBytes));
            for (int i = 0; i < ReceiveBatch; i++)
            {
                Vectors[i] = new Native.IoVec { Base = bufferBase + ((nint)i * ReceiveBufferSize), Length = ReceiveBufferSize };
            }
            From = new SocketAddress(family);
            FullAddressSize = From.Size;
        }

        public void Clear() => Array.Clear(Buffers);

        public void Dispose()
        {
            NativeMemory.Free(Controls);
            NativeMemory.Free(Messages);
            NativeMemory.Free(Vectors);
        }
    }

    private void InvokeBatchHook(Action? hook)
    {
        if (hook is null)
        {
            return;
        }
        try
        {
            hook();
        }
        catch (Exception e)
        {
            // The receive thread must outlive a consumer's failure, as it outlives a handler's.
            EdgeLog.HandlerFailed(Logger, LocalAddress.ToString(), e);
        }
    }

    private unsafe void DeliverBatch(Native.MMsgHdr* messages, int count, ReceiveBuffers receiver)
    {
        byte[] names = receiver.NameBytes;
        byte[] buffers = receiver.Buffers;
        SocketAddress from = receiver.From;
        int fullAddressSize = receiver.FullAddressSize;
        for (int i = 0; i < count; i++)
        {
            int nameLength = (int)messages[i].Header.NameLength;
            if (nameLength > fullAddressSize || nameLength <= 0)
            {
                Interlocked.Increment(ref _receiveDrops);
                continue;
            }
            // The kernel's sockaddr is the SocketAddress encoding on Linux: it keys the edge table directly.
            from.Size = nameLength;
            names.AsSpan(i * NameSize, nameLength).CopyTo(from.Buffer.Span);
            ReadOnlySpan<byte> received = buffers.AsSpan(i * ReceiveBufferSize, (int)messages[i].Length);
            int segmentSize = GroSegmentSize(&messages[i].Header);
            if (segmentSize <= 0 || segmentSize >= received.Length)
            {
                Deliver(received, from);
                continue;
            }
            if ((messages[i].Header.Flags & MsgTrunc) != 0)
            {
                Interlocked.Increment(ref _receiveDrops);    // a GRO run longer than the buffer: its tail is lost
                continue;
            }
            // UDP GRO: the kernel handed several datagrams of one sender as one, each segmentSize long but the last.
            for (int offset = 0; offset < received.Length; offset += segmentSize)
            {
                Deliver(received.Slice(offset, Math.Min(segmentSize, received.Length - offset)), from);
            }
        }
    }

    /// <summary>
    /// UDP_GRO: the kernel may hand a run of datagrams from one sender (one UDP GSO send, or merged on receive) as one
    /// buffer with its segment size in a control message; a whole run costs one pass through the stack and one slot
    /// of a recvmmsg. Not fatal when the kernel lacks it.
    /// </summary>
    private static unsafe void EnableGro(int fd)
    {
        if (Environment.GetEnvironmentVariable("BRUNET_UDP_GRO") == "0")
        {
            return;
        }
        int on = 1;
        _ = Native.SetSockOpt(fd, SolUdp, UdpGro, &on, sizeof(int));
    }

    /// <summary>The UDP_GRO segment size a received message carries in its control data, or 0.</summary>
    private static unsafe int GroSegmentSize(Native.MsgHdr* header)
    {
        byte* control = header->Control;
        nuint length = header->ControlLength;
        // struct cmsghdr: size_t cmsg_len, int cmsg_level, int cmsg_type, then the data (aligned to 8 bytes).
        while (length >= 16 + sizeof(int))
        {
            nuint cmsgLength = *(nuint*)control;
            if (cmsgLength < 16 || cmsgLength > length)
            {
                return 0;
            }
            if (*(int*)(control + 8) == SolUdp && *(int*)(control + 12) == UdpGro && cmsgLength >= 16 + sizeof(int))
            {
                return *(int*)(control + 16);
            }
            nuint step = (cmsgLength + 7) & ~(nuint)7;
            if (step >= length)
            {
                return 0;
            }
            control += step;
            length -= step;
        }
        return 0;
    }

    private unsafe void SendThread(int fd)
    {
        Native.MMsgHdr* messages = stackalloc Native.MMsgHdr[SendBatch];
        Native.IoVec* vectors = stackalloc Native.IoVec[SendBatch];
        byte* names = stackalloc byte[SendBatch * NameSize];
        byte* controls = stackalloc byte[SendBatch * ControlSize];
        int* segments = stackalloc int[SendBatch];
        while (true)
        {
            if (!_sendQueue.TryTake(SendBatch, out int first, out int count))
            {
                if (_sendQueue.IsDone || _stop.IsCancellationRequested)
                {
                    return;
                }
                _sendQueue.Wait();
                continue;
            }
            try
            {
                int batch = BuildMessages(first, count, messages, vectors, names, controls, segments);
                SendMessages(fd, messages, segments, batch);
            }
            finally
            {
                _sendQueue.Release();
            }
        }
    }

    /// <summary>
    /// One message per datagram, except that a run of datagrams to one end point of one size (the last may be shorter)
    /// becomes one UDP GSO message (UDP_SEGMENT): the kernel carries it through the stack once and cuts it at the end.
    /// </summary>
    private unsafe int BuildMessages(int first, int count, Native.MMsgHdr* messages, Native.IoVec* vectors, byte* names, byte* controls, int* segments)
    {
        int batch = 0;
        UdpEdge? runEdge = null;
        int runSize = 0;
        int runBytes = 0;
        bool runOpen = false;
        for (int slot = first; slot < first + count; slot++)
        {
            UdpEdge edge = _sendQueue.Edge(slot);
            if (edge.IsClosed)
            {
                runOpen = false;      // a run's buffers must be neighbours in the vector array
                continue;
            }
            int length = _sendQueue.Length(slot);
            // Ring buffers live on the pinned object heap: their addresses are stable.
            var vector = new Native.IoVec
            {
                Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_sendQueue.Buffer(slot))),
                Length = (nuint)length,
            };
            int index = slot - first;
            vectors[index] = vector;
            if (_udpGso && runOpen && edge == runEdge && length <= runSize && segments[batch - 1] < MaxGsoSegments && runBytes + length <= MaxGsoBytes)
            {
                Native.MMsgHdr* message = &messages[batch - 1];
                if (segments[batch - 1] == 1)
                {
                    byte* control = controls + ((batch - 1) * ControlSize);
                    *(nuint*)control = 16 + sizeof(ushort);          // cmsg_len = CMSG_LEN(sizeof(uint16_t))
                    *(int*)(control + 8) = SolUdp;
                    *(int*)(control + 12) = UdpSegment;
                    *(ushort*)(control + 16) = (ushort)runSize;
                    message->Header.Control = control;
                    message->Header.ControlLength = ControlSize;
                }
                message->Header.IovLength++;
                segments[batch - 1]++;
                runBytes += length;
                runOpen = length == runSize;
                continue;
            }
            ReadOnlySpan<byte> address = edge.SocketAddress.Buffer.Span[..edge.SocketAddress.Size];
            byte* name = names + (batch * NameSize);
            address.CopyTo(new Span<byte>(name, NameSize));
            messages[batch] = default;
            messages[batch].Header.Name = name;
            messages[batch].Header.NameLength = (uint)address.Length;
            messages[batch].Header.Iov = &vectors[index];
            messages[batch].Header.IovLength = 1;
            segments[batch] = 1;
            runEdge = edge;
            runSize = length;
            runBytes = length;
            runOpen = true;
            batch++;
        }
        return batch;
    }

    private unsafe void SendMessages(int fd, Native.MMsgHdr* messages, int* segments, int count)
    {
        int done = 0;
        while (done < count)
        {
            int sent = Native.SendMmsg(fd, messages + done, (uint)(count - done), 0);
            if (sent > 0)
            {
                long bytes = 0;
                long datagrams = 0;
                for (int i = done; i < done + sent; i++)
                {
                    bytes += messages[i].Length;
                    datagrams += segments[i];
                }
                Interlocked.Add(ref _datagramsSent, datagrams);
                Interlocked.Add(ref _bytesSent, bytes);
                done += sent;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr)
            {
                continue;
            }
            if (errno is EBadF or ENotSock)
            {
                return;
            }
            if (segments[done] > 1 && errno is EInval or EIo or EOpNotSupp or EMsgSize)
            {
                // A kernel or path without UDP GSO (or a run the path's MTU cannot take whole): send plainly from now
                // on, and this run's datagrams one by one.
                _udpGso = false;
                SendSegmentsPlainly(fd, &messages[done]);
                done++;
                continue;
            }
            // The first message left failed (an ICMP error from an earlier one, no route): UDP loses it, go on.
            CountSendError(Marshal.GetPInvokeErrorMessage(errno));
            done++;
        }
    }

    /// <summary>The datagrams of one GSO message, each with its own sendto (the fallback when GSO failed).</summary>
    private unsafe void SendSegmentsPlainly(int fd, Native.MMsgHdr* message)
    {
        for (nuint i = 0; i < message->Header.IovLength; i++)
        {
            Native.IoVec vector = message->Header.Iov[i];
            nint sent = Native.SendTo(fd, vector.Base, vector.Length, 0, message->Header.Name, message->Header.NameLength);
            if (sent >= 0)
            {
                Interlocked.Increment(ref _datagramsSent);
                Interlocked.Add(ref _bytesSent, sent);
            }
            else
            {
                CountSendError(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            }
        }
    }

    private static unsafe partial class Native
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct IoVec
        {
            public byte* Base;
            public nuint Length;
        }

        /// <summary>struct msghdr (x86-64 and arm64 Linux).</summary>
        [StructLayout(LayoutKind.Sequential)]
        public struct MsgHdr
        {
            public byte* Name;
            public uint NameLength;
            public IoVec* Iov;
            public nuint IovLength;
            public byte* Control;
            public nuint ControlLength;
            public int Flags;
        }

        /// <summary>struct mmsghdr: a msghdr and the byte count the kernel filled in.</summary>
        [StructLayout(LayoutKind.Sequential)]
        public struct MMsgHdr
        {
            public MsgHdr Header;
            public uint Length;
        }

        [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
        public static partial int RecvMmsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

        [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
        public static partial int SendMmsg(int fd, MMsgHdr* messages, uint count, int flags);

        [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
        public static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

        [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
        public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
        public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

        [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
        public static partial int Shutdown(int fd, int how);
    }
}
