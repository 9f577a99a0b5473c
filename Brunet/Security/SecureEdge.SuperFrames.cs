using System.Buffers;
using Brunet.Transport;

namespace Brunet.Security;

/// <summary>
/// Super-frames: one large plaintext (a VPN's 64 KB TSO frame) sealed once, as one transport message with one counter,
/// and carried in several chunk datagrams (<see cref="SuperChunkHeader"/>), each no larger than the caller's datagram
/// size, sent as one run (UDP GSO). The receiver reassembles them (<see cref="SuperFrameAssembler"/>), opens once and
/// hands the whole plaintext to its handler. The AEAD's cost is per call (about 1.2 µs) more than per byte, so one
/// seal and one open instead of ~54 is most of the sender's and receiver's CPU per byte.
/// </summary>
/// <remarks>
/// Negotiated per edge, after the handshake, with a <see cref="TypeFeatures"/> message each way (sealed like a transport
/// packet, its plaintext one flags byte: bit 0 "I reassemble super-frames", bit 1 "I heard your features"). A side
/// with <see cref="HandshakeOptions.AcceptSuperFrames"/> sends it when the edge is established and again every
/// second until the peer's answer says it heard it (at most <see cref="MaxFeatureSends"/> times); it answers a
/// peer's features that did not yet hear ours. A peer that does not know the type drops it (an older build counts a
/// dropped packet) and never answers, so the edge keeps per-datagram sealing. The handshake messages are unchanged.
/// </remarks>
public sealed partial class SecureEdge
{
    private const byte FeatureSuperFrames = 0x01;
    private const byte FeatureHeardYours = 0x02;

    /// <summary>Feature messages a side sends before it gives up on an answer (an older peer never answers).</summary>
    public const int MaxFeatureSends = 10;

    private static readonly TimeSpan s_featureResend = TimeSpan.FromSeconds(1);

    // Under _receiveLock.
    private SuperFrameAssembler? _assembler;

    // Under _sendLock.
    private int _featureSends;
    private long _featureSentAt;
    private volatile bool _featuresHeard;

    private volatile bool _peerAcceptsSuperFrames;
    private long _superFramesSent;
    private long _superFramesReceived;
    private long _superChunksMalformed;
    private long _superChunksDuplicate;
    private long _superChunksStale;

    /// <summary>True once the peer said it reassembles super-frames: <see cref="TrySendSuperFrame"/> may be used.</summary>
    public bool PeerAcceptsSuperFrames => _peerAcceptsSuperFrames;

    /// <summary>Super-frames sealed and handed to the edge whole.</summary>
    public long SuperFramesSent => Interlocked.Read(ref _superFramesSent);

    /// <summary>Super-frames reassembled, opened and delivered.</summary>
    public long SuperFramesReceived => Interlocked.Read(ref _superFramesReceived);

    /// <summary>Incomplete super-frames dropped because newer ones needed their slot (a chunk was lost).</summary>
    public long SuperFramesIncomplete
    {
        get
        {
            lock (_receiveLock)
            {
                return _assembler?.Evicted ?? 0;
            }
        }
    }

    /// <summary>
    /// Chunks dropped for a malformed header (also counted in <see cref="PacketsDropped"/>), or for one that disagrees
    /// with the other chunks of its message.
    /// </summary>
    public long SuperChunksMalformed => Interlocked.Read(ref _superChunksMalformed);

    /// <summary>Chunks dropped as duplicates of a stored one.</summary>
    public long SuperChunksDuplicate => Interlocked.Read(ref _superChunksDuplicate);

    /// <summary>Chunks dropped as older than every message being reassembled, or behind the replay window.</summary>
    public long SuperChunksStale => Interlocked.Read(ref _superChunksStale);

    /// <summary>
    /// Seals <paramref name="plaintext"/> (at most <see cref="SuperChunkHeader.MaxPlaintext"/> bytes) as one message
    /// and sends it as chunk datagrams of at most <paramref name="maxDatagram"/> bytes, together (one run). False when
    /// not established, the peer does not take super-frames, it does not fit (too long, or more than 64 chunks), or the
    /// edge refused the run. Allocation-free in the steady state.
    /// </summary>
    public bool TrySendSuperFrame(ReadOnlySpan<byte> plaintext, int maxDatagram)
    {
        if (!_established || !_peerAcceptsSuperFrames || !FitsSuperFrame(plaintext.Length, maxDatagram))
        {
            return false;
        }
        int chunkSize = ChunkSizeFor(maxDatagram);
        int total = plaintext.Length + CipherState.TagSize;
        int count = SuperChunkHeader.CountFor(total, chunkSize);
        IEdge? edge = Edge;
        if (edge is null)
        {
            return false;
        }
        int runLength = total + (count * SuperChunkHeader.Size);
        // Ciphertext only, as TrySend's buffer: nothing to wipe.
        byte[] sealedBuffer = ArrayPool<byte>.Shared.Rent(total);
        byte[] runBuffer = ArrayPool<byte>.Shared.Rent(runLength);
        try
        {
            lock (_sendLock)
            {
                if (_txCipher is null || IsClosed || _txCounter == ulong.MaxValue)
                {
                    return false;
                }
                RekeyIfDue();
                var header = new SuperChunkHeader(_txEpoch, _txCounter, total, chunkSize, count, 0);
                Span<byte> associatedData = stackalloc byte[SuperChunkHeader.AssociatedDataSize];
                header.WriteAssociatedData(associatedData);
                Span<byte> sealedMessage = sealedBuffer.AsSpan(0, total);
                _txCipher.Seal(_txCounter, associatedData, plaintext, sealedMessage);
                _txCounter++;
                _txEpochMessages++;
                Span<byte> run = runBuffer.AsSpan(0, runLength);
                for (int i = 0; i < count; i++)
                {
                    Span<byte> datagram = run[(i * (SuperChunkHeader.Size + chunkSize))..];
                    (header with { Index = i }).WriteTo(datagram);
                    sealedMessage.Slice(i * chunkSize, header.LengthOf(i)).CopyTo(datagram[SuperChunkHeader.Size..]);
                }
                bool sent = edge.TrySendRun(run, SuperChunkHeader.Size + chunkSize);
                if (sent)
                {
                    Interlocked.Increment(ref _messagesSent);
                    Interlocked.Increment(ref _superFramesSent);
                }
                return sent;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(runBuffer);
            ArrayPool<byte>.Shared.Return(sealedBuffer);
        }
    }

    /// <summary>True when a plaintext of <paramref name="length"/> bytes fits one super-frame in datagrams of <paramref name="maxDatagram"/>.</summary>
    public static bool FitsSuperFrame(int length, int maxDatagram)
    {
        int chunkSize = ChunkSizeFor(maxDatagram);
        return length > 0 && length <= SuperChunkHeader.MaxPlaintext && chunkSize >= SuperChunkHeader.MinChunkSize
            && SuperChunkHeader.CountFor(length + CipherState.TagSize, chunkSize) <= SuperChunkHeader.MaxChunks;
    }

    private static int ChunkSizeFor(int maxDatagram) => Math.Min(maxDatagram - SuperChunkHeader.Size, ushort.MaxValue);

    private void ReceiveSuperChunk(ReadOnlySpan<byte> datagram)
    {
        if (!_options.AcceptSuperFrames || !SuperChunkHeader.TryRead(datagram, out SuperChunkHeader header, out ReadOnlySpan<byte> chunk))
        {
            Interlocked.Increment(ref _superChunksMalformed);
            Interlocked.Increment(ref _packetsDropped);    // as any malformed packet: no decryption tried
            return;
        }
        bool delivered = false;
        Span<byte> associatedData = stackalloc byte[SuperChunkHeader.AssociatedDataSize];
        lock (_receiveLock)
        {
            if (_rxCipher is null)
            {
                Interlocked.Increment(ref _packetsDropped);
                return;
            }
            if (header.Epoch == _rxEpoch && !_rxWindow.CanAccept(header.Counter))
            {
                // A replayed or very late message: not worth a slot.
                Interlocked.Increment(ref _superChunksStale);
                return;
            }
            _assembler ??= new SuperFrameAssembler();
            switch (_assembler.Add(header, chunk, out int slot))
            {
                case SuperFrameAssembler.Result.Pending:
                    return;
                case SuperFrameAssembler.Result.Duplicate:
                    Interlocked.Increment(ref _superChunksDuplicate);
                    return;
                case SuperFrameAssembler.Result.Mismatch:
                    Interlocked.Increment(ref _superChunksMalformed);
                    return;
                case SuperFrameAssembler.Result.Stale:
                    Interlocked.Increment(ref _superChunksStale);
                    return;
                default:
                    try
                    {
                        Span<byte> message = _assembler.Message(slot);
                        _assembler.HeaderOf(slot).WriteAssociatedData(associatedData);
                        if (TryOpenLocked(header.Epoch, header.Counter, associatedData, message, message, out int length))
                        {
                            Interlocked.Increment(ref _messagesReceived);
                            Interlocked.Increment(ref _superFramesReceived);
                            _handler.OnMessage(this, message[..length]);
                            delivered = true;
                        }
                    }
                    finally
                    {
                        _assembler.Release(slot);
                    }
                    break;
            }
        }
        if (delivered)
        {
            ForgetHandshakeAnswer();
        }
    }

    /// <summary>Sends our features (if we take super-frames): at establishment, and as the answer to the peer's.</summary>
    private void SendFeatures(bool heardYours)
    {
        if (!_options.AcceptSuperFrames)
        {
            return;
        }
        lock (_sendLock)
        {
            SendFeaturesLocked(heardYours);
        }
    }

    // Under _sendLock.
    private void SendFeaturesLocked(bool heardYours)
    {
        ReadOnlySpan<byte> features = [(byte)(FeatureSuperFrames | (heardYours ? FeatureHeardYours : 0))];
        _featureSends++;
        _featureSentAt = _time.GetTimestamp();
        SendSealedLocked(TypeFeatures, features);
    }

    // Under _sendLock, from the tick: again until the peer says it heard ours, a few times at most.
    private void ResendFeaturesLocked()
    {
        if (!_options.AcceptSuperFrames || _featuresHeard || _featureSends >= MaxFeatureSends || _txCipher is null
            || _time.GetElapsedTime(_featureSentAt) < s_featureResend)
        {
            return;
        }
        SendFeaturesLocked(_peerAcceptsSuperFrames);
    }

    // Under _receiveLock: the peer's features. Returns true when we must answer (it has not heard ours yet).
    private bool OnFeatures(ReadOnlySpan<byte> features)
    {
        if (features.IsEmpty)
        {
            Interlocked.Increment(ref _packetsDropped);
            return false;
        }
        byte flags = features[0];    // later bytes are for later features
        if ((flags & FeatureSuperFrames) != 0)
        {
            _peerAcceptsSuperFrames = true;
        }
        if ((flags & FeatureHeardYours) != 0)
        {
            _featuresHeard = true;
        }
        return _options.AcceptSuperFrames && (flags & FeatureHeardYours) == 0;
    }
}
