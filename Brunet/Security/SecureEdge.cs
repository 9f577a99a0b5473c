using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Security;

/// <summary>
/// An <see cref="IEdge"/> made secure: a Noise_XX_25519_ChaChaPoly_SHA256 handshake that proves both node addresses,
/// then encrypted, authenticated, replay-protected datagrams. Works over lossy, reordering transports (UDP).
/// </summary>
/// <remarks>
/// Wire format (first byte = type, integers big-endian):
/// <code>
/// [1][Noise message 1: e]                          initiator -> responder, payload empty
/// [2][Noise message 2: e, ee, s, es + identity]    responder -> initiator
/// [3][Noise message 3: s, se + identity]           initiator -> responder
/// [4][epoch u8][counter u64][ciphertext + 16-byte tag]   transport; the 10-byte header is the AEAD associated data
/// </code>
/// The counter is the Noise nonce; it never repeats on an edge (it keeps counting across epochs). An epoch ends after
/// <see cref="HandshakeOptions.RekeyAfterMessages"/> packets or <see cref="HandshakeOptions.RekeyAfterTime"/>: the
/// sender applies Noise Rekey() and bumps the epoch; the receiver follows and keeps the previous epoch's key and
/// window for <see cref="PreviousEpochLifetime"/> for late packets.
/// Threads: <see cref="OnReceived"/> comes from one transport thread at a time; <see cref="TrySend"/> from any thread;
/// <see cref="OnTick"/> from the node loop. Handler calls happen on those threads (OnMessage under the receive lock).
/// </remarks>
public sealed partial class SecureEdge : IEdgeHandler
{
    public const byte TypeMessage1 = 1;
    public const byte TypeMessage2 = 2;
    public const byte TypeMessage3 = 3;
    public const byte TypeTransport = 4;

    /// <summary>One chunk of a super-frame (<see cref="SuperChunkHeader"/>); only to a peer that said it takes them.</summary>
    public const byte TypeSuperChunk = 5;

    /// <summary>Transport features (<see cref="TypeFeatures"/> messages): sealed like a transport packet, read by this layer.</summary>
    public const byte TypeFeatures = 6;

    /// <summary>Bytes of the transport header (type, epoch, counter).</summary>
    public const int TransportHeaderSize = 1 + 1 + 8;

    /// <summary>Bytes a transport packet adds to its plaintext: header plus tag.</summary>
    public const int TransportOverhead = TransportHeaderSize + CipherState.TagSize;

    /// <summary>How long the receiver keeps the previous epoch's key after the peer moved on.</summary>
    public static readonly TimeSpan PreviousEpochLifetime = TimeSpan.FromSeconds(30);

    /// <summary>How many epochs the peer may be ahead of us (all packets of the epochs between lost).</summary>
    private const int MaxEpochsAhead = 4;

    private static readonly byte[] s_prologuePrefix = Encoding.ASCII.GetBytes("brunet-overlay-v1\0");

    private readonly NodeIdentity _identity;
    private readonly HandshakeOptions _options;
    private readonly ISecureEdgeHandler _handler;
    private readonly TimeProvider _time;
    private readonly Lock _handshakeLock = new();
    private readonly Lock _receiveLock = new();
    private readonly Lock _sendLock = new();

    // Handshake state: guarded by _handshakeLock.
    private HandshakeState? _handshake;
    private Phase _phase = Phase.Unattached;
    private long _startedAt;
    private long _lastHandshakeSendAt;
    private byte[]? _cachedOutgoing;      // the message we retransmit or answer duplicates with
    private byte[]? _cachedIncoming;      // the peer message whose duplicate we answer with _cachedOutgoing

    // Receive state: guarded by _receiveLock.
    private CipherState? _rxCipher;
    private ReplayWindow _rxWindow = new();
    private byte _rxEpoch;
    private CipherState? _rxNext;
    private CipherState? _rxPrevious;
    private ReplayWindow? _rxPreviousWindow;
    private byte _rxPreviousEpoch;
    private long _rxPreviousUntil;

    // Send state: guarded by _sendLock.
    private CipherState? _txCipher;
    private byte _txEpoch;
    private ulong _txCounter;
    private long _txEpochMessages;
    private long _txEpochStartedAt;

    private IEdge? _edge;
    private PeerIdentity? _peer;
    private volatile bool _established;
    private string? _closeReason;

    private long _messagesSent;
    private long _messagesReceived;
    private long _replaysDropped;
    private long _decryptFailures;
    private long _packetsDropped;

    /// <param name="identity">Our long-term keys.</param>
    /// <param name="options">Namespace, timers and policy.</param>
    /// <param name="isInitiator">True on the side that made the edge: it sends message 1 in <see cref="Attach"/>.</param>
    /// <param name="handler">Hears establishment, messages and closing.</param>
    /// <param name="time">The clock (the simulator's virtual one in tests).</param>
    /// <param name="expectedPeer">When set, any other peer is refused ("peer is not the expected node").</param>
    public SecureEdge(NodeIdentity identity, HandshakeOptions options, bool isInitiator, ISecureEdgeHandler handler,
        TimeProvider time, Address? expectedPeer = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(time);
        if (options.LocalCertificate is { Length: > HandshakeOptions.MaxCertificateSize })
        {
            throw new ArgumentException($"The certificate is longer than {HandshakeOptions.MaxCertificateSize} bytes.", nameof(options));
        }
        if (options.MaxDatagramSize <= TransportOverhead)
        {
            throw new ArgumentException("MaxDatagramSize leaves no room for a payload.", nameof(options));
        }
        _identity = identity;
        _options = options;
        IsInitiator = isInitiator;
        _handler = handler;
        _time = time;
        ExpectedPeer = expectedPeer;
    }

    private enum Phase
    {
        Unattached,
        AwaitingMessage1,
        AwaitingMessage2,
        AwaitingMessage3,
        Established,
    }

    public IEdge? Edge => Volatile.Read(ref _edge);

    /// <summary>
    /// True when this side sent handshake message 1. After a simultaneous open (both sides dialed at once, as a UDP
    /// hole punch does) the side with the smaller ephemeral key turns responder, so this can change once, from true to
    /// false, before the edge is established.
    /// </summary>
    public bool IsInitiator { get; private set; }

    public Address? ExpectedPeer { get; }

    /// <summary>The authenticated peer; set just before <see cref="ISecureEdgeHandler.OnEstablished"/>.</summary>
    public PeerIdentity? Peer => Volatile.Read(ref _peer);

    public bool IsEstablished => _established && !IsClosed;

    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    /// <summary>The first close reason, or null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Largest plaintext <see cref="TrySend"/> takes: <see cref="HandshakeOptions.MaxDatagramSize"/> − 26.</summary>
    public int MaxPlaintextSize => _options.MaxDatagramSize - TransportOverhead;

    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <summary>Transport packets dropped as duplicates or as too old for the replay window.</summary>
    public long ReplaysDropped => Interlocked.Read(ref _replaysDropped);

    /// <summary>Transport packets (and handshake messages) that failed authentication.</summary>
    public long DecryptFailures => Interlocked.Read(ref _decryptFailures);

    /// <summary>Malformed, unexpected or early packets dropped without trying to decrypt them.</summary>
    public long PacketsDropped => Interlocked.Read(ref _packetsDropped);

    /// <summary>The sending epoch (wraps at 256); for tests and diagnostics.</summary>
    internal byte SendEpoch
    {
        get
        {
            lock (_sendLock)
            {
                return _txEpoch;
            }
        }
    }

    /// <summary>Binds the edge; the initiator sends handshake message 1 here.</summary>
    public void Attach(IEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (Interlocked.CompareExchange(ref _edge, edge, null) is not null)
        {
            throw new InvalidOperationException("This secure edge is already attached.");
        }
        byte[]? message1 = null;
        lock (_handshakeLock)
        {
            _startedAt = _time.GetTimestamp();
            if (IsInitiator)
            {
                _handshake = new HandshakeState(true, Prologue(_options.Namespace), _identity.StaticKeyPair);
                message1 = new byte[1 + HandshakeState.Overhead(0)];
                message1[0] = TypeMessage1;
                _handshake.WriteMessage(ReadOnlySpan<byte>.Empty, message1.AsSpan(1));
                _cachedOutgoing = message1;
                _lastHandshakeSendAt = _startedAt;
                _phase = Phase.AwaitingMessage2;
            }
            else
            {
                _phase = Phase.AwaitingMessage1;
            }
        }
        if (IsClosed)
        {
            edge.Close(CloseReason!);
            return;
        }
        if (message1 is not null)
        {
            edge.TrySend(message1);
        }
    }

    /// <summary>
    /// Encrypts and sends one datagram. False when not established, closed, longer than
    /// <see cref="MaxPlaintextSize"/>, or refused by the edge (backpressure). Allocation-free in the steady state.
    /// </summary>
    public bool TrySend(ReadOnlySpan<byte> plaintext)
    {
        if (!_established || plaintext.Length > MaxPlaintextSize)
        {
            return false;
        }
        lock (_sendLock)
        {
            return SendSealedLocked(TypeTransport, plaintext);
        }
    }

    // Under _sendLock: seals and sends one datagram of TypeTransport or TypeFeatures.
    private bool SendSealedLocked(byte type, ReadOnlySpan<byte> plaintext)
    {
        IEdge? edge = Edge;
        if (edge is null || _txCipher is null || IsClosed)
        {
            return false;
        }
        if (_txCounter == ulong.MaxValue)
        {
            // 2^64 - 1 is Noise's reserved nonce; an edge that got here must be rebuilt.
            return false;
        }
        RekeyIfDue();
        int length = TransportOverhead + plaintext.Length;
        // The sealed packet lives only until the edge has copied it (every IEdge copies in TrySend), so it is
        // rented per packet from the shared pool rather than kept per edge: a process of 1,000 nodes has some
        // 30,000 secure edges, and a 2-8 KB buffer each was 60-240 MB. It holds ciphertext only: nothing to clear.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> packet = buffer.AsSpan(0, length);
            packet[0] = type;
            packet[1] = _txEpoch;
            BinaryPrimitives.WriteUInt64BigEndian(packet[2..], _txCounter);
            _txCipher.Seal(_txCounter, packet[..TransportHeaderSize], plaintext, packet[TransportHeaderSize..]);
            _txCounter++;
            _txEpochMessages++;
            bool sent = edge.TrySend(packet);
            if (sent)
            {
                Interlocked.Increment(ref _messagesSent);
            }
            return sent;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Closes this edge and the underlying one; only the first reason is kept and reported.</summary>
    public void Close(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }
        // One lock at a time: TrySend may hold the send lock while a synchronous edge delivers to a receive path.
        lock (_handshakeLock)
        {
            _handshake?.Dispose();
            _handshake = null;
            _cachedOutgoing = null;
            _cachedIncoming = null;
        }
        lock (_receiveLock)
        {
            _rxCipher?.Dispose();
            _rxNext?.Dispose();
            _rxPrevious?.Dispose();
            _rxCipher = _rxNext = _rxPrevious = null;
        }
        lock (_sendLock)
        {
            _txCipher?.Dispose();
            _txCipher = null;
        }
        Edge?.Close(reason);
        _handler.OnClosed(this, reason);
    }

    /// <summary>
    /// Call about every 250 ms: retransmits handshake messages, enforces the handshake timeout
    /// ("handshake timed out") and rekeys the sender by time.
    /// </summary>
    public void OnTick()
    {
        if (IsClosed)
        {
            return;
        }
        // The tick never waits for a lock: a transport thread may hold one for a while (sealing a packet, or the
        // scalar multiplications of a handshake message), and the node loop that ticks serves every edge of the node.
        // What the tick does can wait for the next one (a profile of 1,000 nodes in one process showed a fifth of
        // its lock spinning here).
        if (_established)
        {
            if (_sendLock.TryEnter())
            {
                try
                {
                    // Only epochs that carried packets end by time, so an idle edge never runs ahead of its receiver.
                    if (_txCipher is not null && _txEpochMessages > 0)
                    {
                        RekeyIfDue();
                    }
                    ResendFeaturesLocked();
                }
                finally
                {
                    _sendLock.Exit();
                }
            }
            return;
        }
        byte[]? resend = null;
        bool timedOut = false;
        if (!_handshakeLock.TryEnter())
        {
            return;
        }
        try
        {
            if (_phase is Phase.Unattached or Phase.Established)
            {
                return;
            }
            if (_time.GetElapsedTime(_startedAt) >= _options.HandshakeTimeout)
            {
                timedOut = true;
            }
            else if (_cachedOutgoing is not null && _time.GetElapsedTime(_lastHandshakeSendAt) >= _options.RetransmitInterval)
            {
                // The initiator repeats message 1 until message 2 comes; the responder repeats message 2 until message 3.
                resend = _cachedOutgoing;
                _lastHandshakeSendAt = _time.GetTimestamp();
            }
        }
        finally
        {
            _handshakeLock.Exit();
        }
        if (timedOut)
        {
            Close("handshake timed out");
        }
        else if (resend is not null)
        {
            Edge?.TrySend(resend);
        }
    }

    /// <inheritdoc/>
    public void OnReceived(IEdge edge, ReadOnlySpan<byte> datagram)
    {
        if (IsClosed || datagram.IsEmpty)
        {
            if (!IsClosed)
            {
                Interlocked.Increment(ref _packetsDropped);
            }
            return;
        }
        switch (datagram[0])
        {
            case TypeTransport:
            case TypeFeatures:
                ReceiveTransport(datagram);
                break;
            case TypeSuperChunk:
                ReceiveSuperChunk(datagram);
                break;
            case TypeMessage1:
            case TypeMessage2:
            case TypeMessage3:
                ReceiveHandshake(datagram);
                break;
            default:
                Interlocked.Increment(ref _packetsDropped);
                break;
        }
    }

    /// <inheritdoc/>
    public void OnClosed(IEdge edge, string reason) => Close(reason);

    private void ReceiveTransport(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < TransportOverhead)
        {
            Interlocked.Increment(ref _packetsDropped);
            return;
        }
        byte epoch = datagram[1];
        ulong counter = BinaryPrimitives.ReadUInt64BigEndian(datagram[2..]);
        ReadOnlySpan<byte> header = datagram[..TransportHeaderSize];
        ReadOnlySpan<byte> ciphertext = datagram[TransportHeaderSize..];
        byte[] plaintext = ArrayPool<byte>.Shared.Rent(ciphertext.Length);
        bool answerFeatures = false;
        try
        {
            lock (_receiveLock)
            {
                if (!TryOpenLocked(epoch, counter, header, ciphertext, plaintext, out int length))
                {
                    return;
                }
                Interlocked.Increment(ref _messagesReceived);
                if (datagram[0] == TypeFeatures)
                {
                    answerFeatures = OnFeatures(plaintext.AsSpan(0, length));
                }
                else
                {
                    _handler.OnMessage(this, plaintext.AsSpan(0, length));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plaintext, clearArray: true);
        }
        if (answerFeatures)
        {
            SendFeatures(heardYours: true);     // after the receive lock: one lock at a time (see Close)
        }
        ForgetHandshakeAnswer();
    }

    /// <summary>
    /// Under _receiveLock: picks the key of <paramref name="epoch"/>, checks the replay window, opens, records the
    /// counter and follows the peer to a new epoch. False when the message was dropped (counted). The plaintext may be
    /// the ciphertext's own memory (open in place).
    /// </summary>
    private bool TryOpenLocked(byte epoch, ulong counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext,
        out int length)
    {
        length = 0;
        if (_rxCipher is null)
        {
            // Before message 3 (or after closing) there are no keys: early transport packets are dropped.
            Interlocked.Increment(ref _packetsDropped);
            return false;
        }
        CipherState? cipher;
        ReplayWindow window;
        CipherState? derived = null;
        int ahead = unchecked((byte)(epoch - _rxEpoch));
        if (ahead == 0)
        {
            cipher = _rxCipher;
            window = _rxWindow;
        }
        else if (_rxPrevious is not null && epoch == _rxPreviousEpoch && _time.GetTimestamp() < _rxPreviousUntil)
        {
            cipher = _rxPrevious;
            window = _rxPreviousWindow!;
        }
        else if (ahead <= MaxEpochsAhead)
        {
            if (_rxNext is null)
            {
                _rxNext = _rxCipher.Clone();
                _rxNext.Rekey();
            }
            if (ahead == 1)
            {
                cipher = _rxNext;
            }
            else
            {
                // The peer rekeyed more than once while all our packets of the epochs between were lost.
                derived = _rxNext.Clone();
                for (int i = 1; i < ahead; i++)
                {
                    derived.Rekey();
                }
                cipher = derived;
            }
            window = new ReplayWindow();
        }
        else
        {
            Interlocked.Increment(ref _packetsDropped);
            return false;
        }
        if (!window.CanAccept(counter))
        {
            derived?.Dispose();
            Interlocked.Increment(ref _replaysDropped);
            return false;
        }
        if (counter == ulong.MaxValue || !cipher.TryOpen(counter, associatedData, ciphertext, plaintext, out length))
        {
            derived?.Dispose();
            Interlocked.Increment(ref _decryptFailures);
            return false;
        }
        window.TryAccept(counter);
        if (ahead != 0 && cipher != _rxPrevious)
        {
            PromoteEpoch(epoch, cipher, window);
        }
        return true;
    }

    // Under _receiveLock: the peer moved on to a later epoch; keep the current one for late packets.
    private void PromoteEpoch(byte epoch, CipherState cipher, ReplayWindow window)
    {
        _rxPrevious?.Dispose();
        _rxPrevious = _rxCipher;
        _rxPreviousWindow = _rxWindow;
        _rxPreviousEpoch = _rxEpoch;
        _rxPreviousUntil = _time.GetTimestamp() + (long)(PreviousEpochLifetime.TotalSeconds * _time.TimestampFrequency);
        if (cipher != _rxNext)
        {
            _rxNext?.Dispose();
        }
        _rxNext = null;
        _rxCipher = cipher;
        _rxWindow = window;
        _rxEpoch = epoch;
    }

    // Under _sendLock.
    private void RekeyIfDue()
    {
        if (_txEpochMessages < _options.RekeyAfterMessages && _time.GetElapsedTime(_txEpochStartedAt) < _options.RekeyAfterTime)
        {
            return;
        }
        _txCipher!.Rekey();
        _txEpoch = unchecked((byte)(_txEpoch + 1));
        _txEpochMessages = 0;
        _txEpochStartedAt = _time.GetTimestamp();
    }
}
