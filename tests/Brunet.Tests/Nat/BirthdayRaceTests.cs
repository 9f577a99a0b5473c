using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Brunet.Nat;

namespace Brunet.Tests.Nat;

public sealed class BirthdayRaceTests
{
    private static byte[] Datagram(byte kind, ulong token)
    {
        byte[] d = new byte[BirthdayRace.DatagramSize];
        BinaryPrimitives.WriteUInt32BigEndian(d, 0x42444159);
        d[4] = kind;
        BinaryPrimitives.WriteUInt64BigEndian(d.AsSpan(5), token);
        return d;
    }

    [Test]
    public void RandomPorts_DistinctAndInRange()
    {
        int[] ports = BirthdayRace.RandomPorts(BirthdayRace.MaxProbes, new Random(7));
        Assert.That(ports, Has.Length.EqualTo(BirthdayRace.MaxProbes));
        Assert.That(ports, Is.Unique);
        Assert.That(ports, Is.All.InRange(1024, 65535));
        Assert.That(BirthdayRace.RandomPorts(65536 - 1024, new Random(1)), Is.Unique);
    }

    [Test]
    public void IsOurs_RejectsOtherTokensKindsAndLengths()
    {
        Assert.That(BirthdayRace.IsOurs(Datagram(2, 42), 42), Is.True);
        Assert.That(BirthdayRace.IsOurs(Datagram(2, 43), 42), Is.False);
        Assert.That(BirthdayRace.IsOurs(Datagram(9, 42), 42), Is.False);
        Assert.That(BirthdayRace.IsOurs(Datagram(2, 42), 42, not: 2), Is.False);
        Assert.That(BirthdayRace.IsOurs(Datagram(2, 42).AsSpan(0, 12), 42), Is.False);
        Assert.That(BirthdayRace.IsOurs([.. Datagram(2, 42), 0], 42), Is.False);
        byte[] wrongMagic = Datagram(2, 42);
        wrongMagic[0] ^= 1;
        Assert.That(BirthdayRace.IsOurs(wrongMagic, 42), Is.False);
    }

    /// <summary>
    /// Without a NAT on loopback: the prober hears the opener's hellos; a probe from another IP is ignored, then the
    /// prober's own probe to one socket wins: the opener returns that socket's port and answers from it.
    /// </summary>
    [Test]
    public async Task OpenAsync_ProbeOnOneSocket_ReturnsItsPortAndAcks()
    {
        using var prober = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        prober.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var proberEndPoint = (IPEndPoint)prober.LocalEndPoint!;
        Task<int?> race = BirthdayRace.OpenAsync(proberEndPoint, 99, sockets: 4, TimeSpan.FromSeconds(10), CancellationToken.None);

        byte[] buffer = new byte[64];
        var hellos = new HashSet<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (hellos.Count < 4)
        {
            SocketReceiveFromResult r = await prober.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            Assert.That(BirthdayRace.IsOurs(buffer.AsSpan(0, r.ReceivedBytes), 99), Is.True);
            hellos.Add(((IPEndPoint)r.RemoteEndPoint).Port);
        }
        int[] ports = [.. hellos];
        // A probe from another IP is not the prober's: ignored.
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await stranger.SendToAsync(Datagram(2, 99), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, ports[0]));
        await Task.Delay(100);
        await prober.SendToAsync(Datagram(2, 99), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, ports[1]));

        int? won = await race.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(won, Is.EqualTo(ports[1]));
        bool acked = false;
        while (!acked)
        {
            SocketReceiveFromResult r = await prober.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            acked = buffer[4] == 3 && ((IPEndPoint)r.RemoteEndPoint).Port == ports[1];
        }
        Assert.That(acked, Is.True);
    }

    [Test]
    public async Task OpenAsync_NoProbe_NullAtTheDeadline()
    {
        using var prober = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        prober.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int? won = await BirthdayRace.OpenAsync((IPEndPoint)prober.LocalEndPoint!, 5, sockets: 2, TimeSpan.FromMilliseconds(300), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(won, Is.Null);
    }
}
