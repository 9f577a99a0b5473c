using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Brunet.Transport;

namespace Brunet.Nat;

/// <summary>
/// A hole punch between a symmetric NAT (port-dependent mapping: a new random outside port per destination) and a
/// port-restricted cone (one outside port, inbound only from end points it has sent to), where the ordinary
/// simultaneous open cannot work: each side would have to guess the other's port.
/// </summary>
/// <remarks>
/// The birthday technique: the symmetric side (the opener) opens <see cref="OpenerSockets"/> sockets and sends from
/// each to the cone side's one known outside end point; its NAT gives each a random outside port and now lets
/// answers from that end point in. The cone side (the prober) sends <see cref="MaxProbes"/> probes from its own
/// listener to random ports of the opener's outside IP. A probe that lands on one of the opener's outside ports also
/// opens the prober's filter for that port; the opener answers from the socket that got it, and both know the pair
/// of end points that works. With 256 sockets of about 64,500 ports, 2,000 probes miss all of them with probability
/// (1 - 256/64512)^2000, about 0.04 %. The opener then binds an edge listener on the winning local port (its NAT
/// keeps the mapping, which belongs to the port pair, not to the socket) and the prober dials the ordinary secure
/// edge to the winning outside port. Datagrams carry a magic and a per-session token; anything else is ignored.
/// </remarks>
public static class BirthdayRace
{
    public const int OpenerSockets = 256;
    public const int MaxProbes = 2000;
    public const int ProbesPerSecond = 500;

    /// <summary>"BDAY", the kind, and the session token.</summary>
    public const int DatagramSize = 13;

    private const uint Magic = 0x42444159;
    private const byte KindOpen = 1;
    internal const byte KindProbe = 2;
    private const byte KindAck = 3;
    private const int FirstPort = 1024;

    /// <summary>Writes one race datagram.</summary>
    private static byte[] Datagram(byte kind, ulong token)
    {
        byte[] datagram = new byte[DatagramSize];
        BinaryPrimitives.WriteUInt32BigEndian(datagram, Magic);
        datagram[4] = kind;
        BinaryPrimitives.WriteUInt64BigEndian(datagram.AsSpan(5), token);
        return datagram;
    }

    /// <summary>True when <paramref name="datagram"/> is a race datagram of this session (any kind but <paramref name="not"/>).</summary>
    public static bool IsOurs(ReadOnlySpan<byte> datagram, ulong token, byte not = 0) =>
        datagram.Length == DatagramSize
        && BinaryPrimitives.ReadUInt32BigEndian(datagram) == Magic
        && datagram[4] is KindOpen or KindProbe or KindAck
        && datagram[4] != not
        && BinaryPrimitives.ReadUInt64BigEndian(datagram[5..]) == token;

    /// <summary>
    /// The symmetric side: opens <paramref name="sockets"/> sockets, sends from each to <paramref name="prober"/> about
    /// once a second, and waits up to <paramref name="duration"/> for a probe of this session from the prober's IP.
    /// Returns the local port whose socket got one (after answering from it), or null. Every socket is closed on return.
    /// </summary>
    public static async Task<int?> OpenAsync(IPEndPoint prober, ulong token, int sockets, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prober);
        ArgumentOutOfRangeException.ThrowIfLessThan(sockets, 1);
        var open = new List<Socket>(sockets);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        try
        {
            for (int i = 0; i < sockets; i++)
            {
                var socket = new Socket(prober.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                open.Add(socket);
                socket.Bind(new IPEndPoint(prober.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            }
            var won = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] receivers = [.. open.Select(s => ReceiveProbeAsync(s, prober.Address, token, won, stop.Token))];
            byte[] hello = Datagram(KindOpen, token);
            while (!stop.IsCancellationRequested && !won.Task.IsCompleted)
            {
                foreach (Socket socket in open)
                {
                    try
                    {
                        socket.SendTo(hello, SocketFlags.None, prober);
                    }
                    catch (SocketException)
                    {
                        // An ICMP error from an earlier send, or no route: this socket sits out this round.
                    }
                }
                await Task.WhenAny(won.Task, Task.Delay(TimeSpan.FromSeconds(1), stop.Token)).ConfigureAwait(false);
            }
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(receivers).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The receivers end by cancellation.
            }
            return won.Task.IsCompletedSuccessfully ? won.Task.Result : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;   // the delay ended by the deadline
        }
        finally
        {
            foreach (Socket socket in open)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task ReceiveProbeAsync(Socket socket, IPAddress proberIp, ulong token, TaskCompletionSource<int> won, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64];
        byte[] ack = Datagram(KindAck, token);
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue;   // ICMP errors of earlier sends surface here on Linux
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            if (received.RemoteEndPoint is not IPEndPoint from || !from.Address.Equals(proberIp) || received.ReceivedBytes == 0)
            {
                continue;
            }
            // A probe, or the prober's handshake when our hello reached it first (a cone that filters by address only
            // lets hellos in): either way this socket's mapping works. Only a probe wants an answer.
            if (!IsOurs(buffer.AsSpan(0, received.ReceivedBytes), token, not: KindOpen))
            {
                won.TrySetResult(((IPEndPoint)socket.LocalEndPoint!).Port);
                return;
            }
            for (int i = 0; i < 3; i++)
            {
                try
                {
                    socket.SendTo(ack, SocketFlags.None, from);
                }
                catch (SocketException)
                {
                    break;
                }
            }
            won.TrySetResult(((IPEndPoint)socket.LocalEndPoint!).Port);
            return;
        }
    }

    /// <summary>
    /// The cone side: from <paramref name="listener"/> (whose outside end point the opener sends to), sends up to
    /// <paramref name="probes"/> probes to distinct random ports of <paramref name="openerIp"/> at
    /// <paramref name="perSecond"/>, then waits <paramref name="linger"/>. Returns the opener's outside end point that
    /// answered, or null. The probe edges are all closed on return.
    /// </summary>
    /// <remarks>
    /// When the prober's NAT filters by address only (or not at all), the opener's hellos reach the listener as new
    /// inbound edges instead: whoever accepts those should hand them to <paramref name="probe"/>'s
    /// <see cref="BirthdayProbe.Heard"/>, which ends the race on that end point.
    /// </remarks>
    public static async Task<IPEndPoint?> ProbeAsync(
        IEdgeListener listener, IPAddress openerIp, ulong token, int probes, int perSecond, TimeSpan linger, Random random,
        CancellationToken cancellationToken, BirthdayProbe? probe = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(openerIp);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        var handler = probe ?? new BirthdayProbe(token);
        var edges = new List<IEdge>(probes);
        byte[] datagram = Datagram(KindProbe, token);
        int[] ports = RandomPorts(Math.Min(probes, 65536 - FirstPort), random);
        int perTick = Math.Max(1, perSecond / 50);   // 20 ms ticks
        try
        {
            for (int i = 0; i < ports.Length && !handler.Won.Task.IsCompleted; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var remote = TransportAddress.Udp(new IPEndPoint(openerIp, ports[i]));
                IEdge edge;
                try
                {
                    edge = await listener.ConnectAsync(remote, handler, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    continue;   // an edge to that end point exists already
                }
                edges.Add(edge);
                edge.TrySend(datagram);
                if ((i + 1) % perTick == 0)
                {
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
            }
            await Task.WhenAny(handler.Won.Task, Task.Delay(linger, cancellationToken)).ConfigureAwait(false);
            return handler.Won.Task.IsCompletedSuccessfully ? handler.Won.Task.Result : null;
        }
        finally
        {
            foreach (IEdge edge in edges)
            {
                edge.Close("birthday race over");
            }
        }
    }

    /// <summary>Distinct random ports in [1024, 65535] (a partial Fisher-Yates shuffle).</summary>
    public static int[] RandomPorts(int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int range = 65536 - FirstPort;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, range);
        var swapped = new Dictionary<int, int>(count);
        int[] result = new int[count];
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, range);
            int atJ = swapped.GetValueOrDefault(j, j);
            swapped[j] = swapped.GetValueOrDefault(i, i);
            result[i] = FirstPort + atJ;
        }
        return result;
    }

}

/// <summary>
/// The prober's side of one race: hears the opener's answer (or its hello, once a probe opened the filter) on any
/// probe edge, or is told of an inbound datagram from the opener's IP (<see cref="Heard"/>). Any thread.
/// </summary>
public sealed class BirthdayProbe(ulong token) : IEdgeHandler
{
    internal TaskCompletionSource<IPEndPoint> Won { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ulong Token { get; } = token;

    /// <summary>A datagram from <paramref name="from"/> (the opener's IP) got through our NAT: that end point works.</summary>
    public void Heard(IPEndPoint from) => Won.TrySetResult(from);

    public void OnReceived(IEdge edge, ReadOnlySpan<byte> datagram)
    {
        if (BirthdayRace.IsOurs(datagram, Token, not: BirthdayRace.KindProbe) && edge.RemoteAddress.EndPoint is { } from)
        {
            Won.TrySetResult(from);
        }
    }

    public void OnClosed(IEdge edge, string reason)
    {
    }
}
