using System.Buffers;
using System.Net;
using Brunet.Addressing;
using Brunet.Connections;
using Brunet.Messaging;
using Brunet.Messaging.Rpc;
using Brunet.Nat;
using Brunet.Routing;
using Brunet.Transport;

namespace Brunet.Node;

/// <summary>
/// Birthday punches (<see cref="BirthdayRace"/>) between a node behind a symmetric NAT and one behind a cone: started
/// through the overlay (<see cref="Methods.Birthday"/>) when a direct attempt times out, at most
/// <see cref="MaxBirthdaySessions"/> at once, three tries per peer and then a pause of <see cref="BirthdayBackoff"/>.
/// The symmetric side keeps an edge listener on the winning port while edges use it.
/// </summary>
public sealed partial class OverlayNode
{
    private const int MaxBirthdaySessions = 4;
    private const int BirthdayTries = 3;

    /// <summary>The refusal of a request that crossed ours when ours goes ahead: not a failed punch for the requester.</summary>
    private const string CrossedRefusal = "our requests crossed and ours goes ahead";
    private static readonly TimeSpan s_birthdayBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_openerDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_probeLinger = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_proberHeadStart = TimeSpan.FromMilliseconds(500);

    /// <summary>The pause after <see cref="BirthdayTries"/> failed punches with one peer.</summary>
    public static TimeSpan BirthdayBackoff => s_birthdayBackoff;

    private readonly HashSet<Address> _birthdayRunning = [];

    /// <summary>Our birthday requests awaiting the peer's answer, by peer: the token of each.</summary>
    private readonly Dictionary<Address, ulong> _birthdayRequested = [];
    private readonly Dictionary<Address, (int Failures, long At)> _birthdayFailures = [];
    private readonly List<(UdpEdgeListener Listener, long Opened)> _birthdayListeners = [];
    private readonly CancellationTokenSource _birthdayStop = new();

    /// <summary>Races we probe in, by the opener's IP: inbound edges from there are its hellos (read on transport threads).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPAddress, BirthdayProbe> _probing = new();

    /// <summary>
    /// A new inbound edge from an opener we are probing (transport thread): our NAT let its hello (or handshake) in,
    /// so that end point is the one to dial. The edge itself is refused; our dial makes the real one.
    /// </summary>
    private bool HeardOpener(IEdge edge)
    {
        if (_probing.IsEmpty || edge.Kind != TransportKind.Udp || edge.RemoteAddress.EndPoint is not { } from
            || !_probing.TryGetValue(from.Address, out BirthdayProbe? probe))
        {
            return false;
        }
        probe.Heard(from);
        return true;
    }

    /// <summary>Birthday punches that found a working pair of end points.</summary>
    public long BirthdayWins => Interlocked.Read(ref _birthdayWins);

    private long _birthdayWins;

    /// <summary>Our UDP end point as peers last saw it, or a listener's local one before any reflection.</summary>
    private string OwnUdpEndPoint() =>
        _nat.Latest?.ToString()
        ?? TransportAddresses.FirstOrDefault(a => a.Kind == TransportKind.Udp)?.EndPoint?.ToString()
        ?? "";

    private bool BirthdayAllowed(Address peer) => BirthdayRefusal(peer) is null;

    /// <summary>Test hook, on the loop: as if our own punch request to <paramref name="peer"/> were on its way.</summary>
    internal void PretendBirthdayRequested(Address peer, ulong token)
    {
        _birthdayRequested[peer] = token;
        _birthdayRunning.Add(peer);
    }

    /// <summary>Test hook, on the loop: is our punch request to <paramref name="peer"/> still waiting for its answer.</summary>
    internal bool IsBirthdayRequested(Address peer) => _birthdayRequested.ContainsKey(peer);

    /// <summary>Why a punch with <paramref name="peer"/> cannot start now, or null when it can.</summary>
    private string? BirthdayRefusal(Address peer)
    {
        if (_birthdayRunning.Contains(peer))
        {
            return "a punch with you is running";
        }
        if (_birthdayRunning.Count >= MaxBirthdaySessions)
        {
            return $"{MaxBirthdaySessions} punches are running";
        }
        if (!_listeners.Any(l => l is UdpEdgeListener))
        {
            return "no UDP listener";
        }
        if (_birthdayFailures.TryGetValue(peer, out var failed) && failed.Failures >= BirthdayTries)
        {
            if (Loop.Time.GetElapsedTime(failed.At) < s_birthdayBackoff)
            {
                return $"backing off after {failed.Failures} failed punches with you";
            }
            _birthdayFailures.Remove(peer);
        }
        return null;
    }

    /// <summary>
    /// A direct attempt to <paramref name="peer"/> timed out: ask it for a birthday punch. It answers only when exactly
    /// one of us is behind a symmetric NAT. On the loop.
    /// </summary>
    private void MaybeBirthday(Address peer, ConnectionType types)
    {
        if (_state != 1 || types == ConnectionType.None || peer == Address || !BirthdayAllowed(peer)
            || Connections.Get(peer) is { } c && c.Edge.Kind != TransportKind.Tunnel)
        {
            return;
        }
        ulong token = (ulong)_random.NextInt64();
        var body = new ArrayBufferWriter<byte>(64);
        var writer = new WireWriter(body);
        writer.WriteUInt64(token);
        writer.WriteByte((byte)_nat.Mapping);
        writer.WriteString8(OwnUdpEndPoint());
        _birthdayRunning.Add(peer);
        _birthdayRequested[peer] = token;
        Rpc.Call(RpcTarget.Routed(peer, RoutingMode.Exact), Methods.Birthday, body.WrittenSpan, result =>
        {
            if (!_birthdayRequested.TryGetValue(peer, out ulong pending) || pending != token)
            {
                return;   // the peer's request crossed ours and went ahead (ServeBirthday): that race is the one
            }
            _birthdayRequested.Remove(peer);
            if (result.Error == RpcError.Refused && result.Message == CrossedRefusal)
            {
                // The peer's request is on its way and we will serve it; if it is lost, the peer tries again.
                _birthdayRunning.Remove(peer);
                NodeLog.Birthday(_logger, peer.ToString(), "requester", "our requests crossed and the peer's goes ahead");
                return;
            }
            if (!result.IsOk || _state != 1)
            {
                EndBirthday(peer, won: false, "requester", result.IsOk ? "node stopped" : $"refused: {result.Message}");
                return;
            }
            bool peerOpens;
            IPEndPoint? peerEndPoint;
            try
            {
                var reader = new WireReader(result.Body);
                peerOpens = reader.ReadBool();
                peerEndPoint = ParseEndPoint(reader.ReadString8(64, "end point"));
            }
            catch (WireFormatException e)
            {
                EndBirthday(peer, won: false, "requester", $"malformed reply: {e.Message}");
                return;
            }
            if (peerEndPoint is null)
            {
                EndBirthday(peer, won: false, "requester", "no end point in the reply");
                return;
            }
            RunBirthday(peer, token, opener: !peerOpens, peerEndPoint, types, TimeSpan.Zero);
        }, maxResends: 2);
    }

    private void ServeBirthday(RpcCall call, ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        ulong token = reader.ReadUInt64();
        byte mapping = reader.ReadByte();
        IPEndPoint? requester = ParseEndPoint(reader.ReadString8(64, "end point"));
        if (requester is null || mapping > (byte)NatMapping.PortDependent)
        {
            call.Fail(RpcError.BadRequest, "a birthday request needs the requester's mapping and end point");
            return;
        }
        bool requesterSymmetric = (NatMapping)mapping == NatMapping.PortDependent;
        bool selfSymmetric = _nat.Mapping == NatMapping.PortDependent;
        if (requesterSymmetric == selfSymmetric)
        {
            call.Fail(RpcError.Refused, "a birthday punch needs exactly one symmetric NAT");
            return;
        }
        if (!IsKnownIp(call.From, requester.Address))
        {
            // Else anyone could make us send thousands of datagrams to an address of their choosing.
            call.Fail(RpcError.Refused, "the end point's IP is not one the requester is known by");
            return;
        }
        if (_birthdayRequested.ContainsKey(call.From))
        {
            // Both of us timed out on a direct attempt and asked at once. Refusing each other would repeat at every
            // retry, so the request of the smaller address goes ahead and the other side drops its own.
            if (Address < call.From)
            {
                call.Fail(RpcError.Refused, CrossedRefusal);
                return;
            }
            _birthdayRequested.Remove(call.From);
            _birthdayRunning.Remove(call.From);
        }
        if (BirthdayRefusal(call.From) is { } refusal)
        {
            call.Fail(RpcError.Refused, refusal);
            return;
        }
        if (Connections.Get(call.From) is { } c && c.Edge.Kind != TransportKind.Tunnel)
        {
            call.Fail(RpcError.Refused, $"linked directly already ({c.Edge.Kind})");
            return;
        }
        string own = OwnUdpEndPoint();
        if (own.Length == 0)
        {
            call.Fail(RpcError.Refused, "no UDP end point");
            return;
        }
        call.Reply(w =>
        {
            w.WriteBool(selfSymmetric);
            w.WriteString8(own);
        });
        _birthdayRunning.Add(call.From);
        // The requester hears our answer a round trip later: when it opens, give its sockets a head start.
        RunBirthday(call.From, token, opener: selfSymmetric, requester, ConnectionType.OnDemand,
            selfSymmetric ? TimeSpan.Zero : s_proberHeadStart);
    }

    /// <summary>True when <paramref name="peer"/> told us of <paramref name="ip"/>, or an edge of ours reaches it there.</summary>
    private bool IsKnownIp(Address peer, IPAddress ip) =>
        (_peerAddresses.TryGetValue(peer, out IReadOnlyList<TransportAddress>? told) && told.Any(a => ip.Equals(a.EndPoint?.Address)))
        || _edges.Any(e => e.Peer == peer && ip.Equals(e.Remote.EndPoint?.Address));

    private static IPEndPoint? ParseEndPoint(string text) =>
        IPEndPoint.TryParse(text, out IPEndPoint? endPoint) && endPoint.Port != 0 ? endPoint : null;

    /// <summary>Runs our side of the race off the loop, then builds the edge on the loop.</summary>
    private void RunBirthday(Address peer, ulong token, bool opener, IPEndPoint peerEndPoint, ConnectionType types, TimeSpan delay)
    {
        string role = opener ? "opener" : "prober";
        var listener = (UdpEdgeListener)_listeners.First(l => l is UdpEdgeListener);
        var random = new Random(_random.Next());
        CancellationToken stop = _birthdayStop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                if (opener)
                {
                    int? port = await BirthdayRace.OpenAsync(peerEndPoint, token, BirthdayRace.OpenerSockets, s_openerDuration, stop).ConfigureAwait(false);
                    Loop.Post(() => OpenerDone(peer, port));
                }
                else
                {
                    var probe = new BirthdayProbe(token);
                    if (!_probing.TryAdd(peerEndPoint.Address, probe))
                    {
                        Loop.Post(() => EndBirthday(peer, won: false, role, "another race with that IP is running"));
                        return;
                    }
                    try
                    {
                        await Task.Delay(s_proberHeadStart + delay, stop).ConfigureAwait(false);
                        IPEndPoint? won = await BirthdayRace.ProbeAsync(listener, peerEndPoint.Address, token, BirthdayRace.MaxProbes,
                            BirthdayRace.ProbesPerSecond, s_probeLinger, random, stop, probe).ConfigureAwait(false);
                        Loop.Post(() => ProberDone(peer, won, types));
                    }
                    finally
                    {
                        _probing.TryRemove(new KeyValuePair<IPAddress, BirthdayProbe>(peerEndPoint.Address, probe));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                Loop.Post(() => EndBirthday(peer, won: false, role, e.Message));
            }
        }, stop);
    }

    /// <summary>The opener's socket on <paramref name="port"/> heard a probe: listen there for the prober's handshake.</summary>
    private void OpenerDone(Address peer, int? port)
    {
        if (port is not { } won || _state != 1)
        {
            EndBirthday(peer, won: false, "opener", "no probe arrived");
            return;
        }
        try
        {
            var listener = new UdpEdgeListener(new IPEndPoint(IPAddress.Any, won));
            listener.Start(AcceptEdge);
            _birthdayListeners.Add((listener, Loop.Time.GetTimestamp()));
            EndBirthday(peer, won: true, "opener", $"listening on local port {won}");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            EndBirthday(peer, won: false, "opener", $"cannot listen on port {won}: {e.Message}");
        }
    }

    /// <summary>The opener answered from <paramref name="won"/>: dial the ordinary secure edge there.</summary>
    private void ProberDone(Address peer, IPEndPoint? won, ConnectionType types)
    {
        if (won is null || _state != 1)
        {
            EndBirthday(peer, won: false, "prober", "no answer to any probe");
            return;
        }
        EndBirthday(peer, won: true, "prober", $"dialing {won}");
        if (Connections.Get(peer) is { } existing)
        {
            if (existing.Edge.Kind != TransportKind.Tunnel)
            {
                return;
            }
            types = existing.LocalTypes == ConnectionType.None ? ConnectionType.OnDemand : existing.LocalTypes;
        }
        _failedPeers.Remove(peer);
        var attempt = new LinkAttempt(peer, [TransportAddress.Udp(won)], types, Loop.Time.GetTimestamp()) { IsUpgrade = true, IsBirthday = true };
        if (_attempts.ContainsKey(attempt.Key))
        {
            return;
        }
        _attempts[attempt.Key] = attempt;
        // The opener binds its listener as soon as it answered; our handshake retransmits if the first one is early.
        NextAddress(attempt, null);
    }

    private void EndBirthday(Address peer, bool won, string role, string outcome)
    {
        _birthdayRunning.Remove(peer);
        NodeLog.Birthday(_logger, peer.ToString(), role, outcome);
        if (won)
        {
            Interlocked.Increment(ref _birthdayWins);
            _birthdayFailures.Remove(peer);
            return;
        }
        int failures = _birthdayFailures.TryGetValue(peer, out var failed) ? failed.Failures + 1 : 1;
        _birthdayFailures[peer] = (failures, Loop.Time.GetTimestamp());
        if (failures < BirthdayTries && _state == 1)
        {
            // Try again soon, at a random moment so that two requests that crossed do not cross again.
            TimeSpan again = TimeSpan.FromMilliseconds(1000 + _random.Next(2000));
            _ = Loop.Time.CreateTimer(_ => Loop.Post(() => MaybeBirthday(peer, ConnectionType.OnDemand)), null, again, Timeout.InfiniteTimeSpan);
        }
        if (_birthdayFailures.Count > 1024)
        {
            _birthdayFailures.Clear();
        }
    }

    /// <summary>Closes winning-port listeners that no edge has used for a while. On the loop.</summary>
    private void TrimBirthdayListeners()
    {
        for (int i = _birthdayListeners.Count - 1; i >= 0; i--)
        {
            (UdpEdgeListener listener, long opened) = _birthdayListeners[i];
            if (listener.EdgeCount == 0 && Loop.Time.GetElapsedTime(opened) > Options.UnlinkedEdgeTimeout)
            {
                _birthdayListeners.RemoveAt(i);
                _ = listener.DisposeAsync().AsTask();
            }
        }
    }

    private async Task StopBirthdaysAsync()
    {
        await _birthdayStop.CancelAsync().ConfigureAwait(false);
        UdpEdgeListener[] listeners = await InvokeAsync(() =>
        {
            UdpEdgeListener[] all = [.. _birthdayListeners.Select(l => l.Listener)];
            _birthdayListeners.Clear();
            return all;
        }).ConfigureAwait(false);
        foreach (UdpEdgeListener listener in listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }
}
