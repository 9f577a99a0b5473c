using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Brunet.Addressing;
using Brunet.Transport;

namespace Brunet.Security;

/// <summary>The Noise XX handshake of a <see cref="SecureEdge"/>: messages 1-3, the identity payloads and the switch to transport keys.</summary>
public sealed partial class SecureEdge
{
    internal static byte[] Prologue(string ns)
    {
        byte[] name = Encoding.UTF8.GetBytes(ns);
        return [.. s_prologuePrefix, .. name];
    }

    private void ReceiveHandshake(ReadOnlySpan<byte> datagram)
    {
        byte type = datagram[0];
        string? closeWith = null;
        byte[]? reply = null;
        bool established = false;
        lock (_handshakeLock)
        {
            switch (_phase)
            {
                case Phase.AwaitingMessage1 when type == TypeMessage1:
                    closeWith = ReadMessage1(datagram, out reply);
                    break;
                case Phase.AwaitingMessage2 when type == TypeMessage1 && YieldsInitiatorRole(datagram):
                    // Simultaneous open: both sides sent message 1. Both compare the two ephemeral keys, and the side
                    // whose key is smaller answers the other's message 1 as responder; the other keeps waiting.
                    _handshake?.Dispose();
                    _handshake = null;
                    IsInitiator = false;
                    closeWith = ReadMessage1(datagram, out reply);
                    break;
                case Phase.AwaitingMessage2 when type == TypeMessage2:
                    closeWith = ReadMessage2(datagram, out reply);
                    established = closeWith is null;
                    break;
                case Phase.AwaitingMessage3 when type == TypeMessage3:
                    closeWith = ReadMessage3(datagram);
                    established = closeWith is null;
                    break;
                default:
                    // A duplicate of the peer's last message means our answer was lost: send it again.
                    if (_cachedIncoming is not null && _cachedOutgoing is not null && datagram.SequenceEqual(_cachedIncoming)
                        && (_phase == Phase.AwaitingMessage3 || (_phase == Phase.Established && IsInitiator)))
                    {
                        reply = _cachedOutgoing;
                    }
                    else
                    {
                        Interlocked.Increment(ref _packetsDropped);
                    }
                    break;
            }
        }
        if (closeWith is not null)
        {
            Close(closeWith);
            return;
        }
        if (reply is not null)
        {
            Edge?.TrySend(reply);
        }
        if (established && !IsClosed)
        {
            SendFeatures(heardYours: false);
            _handler.OnEstablished(this);
        }
    }

    // Initiator waiting for message 2, under _handshakeLock: true when our ephemeral key is the smaller one.
    private bool YieldsInitiatorRole(ReadOnlySpan<byte> peerMessage1)
    {
        if (_cachedOutgoing is not { } ours || peerMessage1.Length < 1 + X25519KeyPair.KeySize || ours.Length < 1 + X25519KeyPair.KeySize)
        {
            return false;
        }
        return ours.AsSpan(1, X25519KeyPair.KeySize).SequenceCompareTo(peerMessage1.Slice(1, X25519KeyPair.KeySize)) < 0;
    }

    // Responder, under _handshakeLock.
    private string? ReadMessage1(ReadOnlySpan<byte> datagram, out byte[]? reply)
    {
        reply = null;
        var handshake = new HandshakeState(false, Prologue(_options.Namespace), _identity.StaticKeyPair);
        byte[] payload = ArrayPool<byte>.Shared.Rent(datagram.Length);
        try
        {
            if (datagram.Length > HandshakeState.MaxMessageSize || !handshake.TryReadMessage(datagram[1..], payload, out _))
            {
                handshake.Dispose();
                Interlocked.Increment(ref _decryptFailures);
                return "malformed handshake message";
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload, clearArray: true);
        }
        _handshake = handshake;
        reply = WriteIdentityMessage(TypeMessage2, 1);
        if (reply is null)
        {
            return "handshake failed: the peer's ephemeral key is unusable";
        }
        _cachedIncoming = datagram.ToArray();
        _cachedOutgoing = reply;
        _lastHandshakeSendAt = _time.GetTimestamp();
        _phase = Phase.AwaitingMessage3;
        return null;
    }

    // Initiator, under _handshakeLock.
    private string? ReadMessage2(ReadOnlySpan<byte> datagram, out byte[]? reply)
    {
        reply = null;
        string? refusal = ReadIdentityMessage(datagram);
        if (refusal is not null)
        {
            return refusal;
        }
        reply = WriteIdentityMessage(TypeMessage3, 2);
        if (reply is null)
        {
            return "handshake failed";
        }
        _cachedIncoming = datagram.ToArray();
        _cachedOutgoing = reply;
        Establish();
        return null;
    }

    // Responder, under _handshakeLock.
    private string? ReadMessage3(ReadOnlySpan<byte> datagram)
    {
        string? refusal = ReadIdentityMessage(datagram);
        if (refusal is not null)
        {
            return refusal;
        }
        _cachedIncoming = null;
        _cachedOutgoing = null;
        Establish();
        return null;
    }

    private byte[]? WriteIdentityMessage(byte type, int index)
    {
        IEdge edge = Edge!;
        string observed = edge.RemoteAddress.ToString();
        if (Encoding.UTF8.GetByteCount(observed) > IdentityPayload.MaxObservedLength)
        {
            observed = string.Empty;
        }
        var identity = new IdentityPayload(_identity.SigningPublicKey.ToArray(), _options.ClaimedAddressOverride ?? _identity.Address,
            observed, _options.LocalCertificate);
        byte[] payload = new byte[identity.Size];
        identity.WriteTo(payload);
        byte[] message = new byte[1 + HandshakeState.Overhead(index) + payload.Length];
        message[0] = type;
        try
        {
            _handshake!.WriteMessage(payload, message.AsSpan(1));
        }
        catch (CryptographicException)
        {
            return null;
        }
        return message;
    }

    // Reads message 2 or 3 and checks the peer: key matches claimed address, expected peer, policy.
    private string? ReadIdentityMessage(ReadOnlySpan<byte> datagram)
    {
        HandshakeState handshake = _handshake!;
        byte[] payload = ArrayPool<byte>.Shared.Rent(datagram.Length);
        try
        {
            if (datagram.Length > HandshakeState.MaxMessageSize || !handshake.TryReadMessage(datagram[1..], payload, out int length))
            {
                Interlocked.Increment(ref _decryptFailures);
                return "malformed handshake message";
            }
            if (!IdentityPayload.TryRead(payload.AsSpan(0, length), out IdentityPayload identity))
            {
                return "malformed identity payload";
            }
            byte[] remoteStatic = handshake.RemoteStaticPublicKey.ToArray();
            if (NodeIdentity.DeriveAddress(remoteStatic, identity.SigningPublicKey) != identity.ClaimedAddress)
            {
                return "peer key does not match its claimed address";
            }
            if (ExpectedPeer is Address expected && expected != identity.ClaimedAddress)
            {
                return "peer is not the expected node";
            }
            var peer = new PeerIdentity(identity.ClaimedAddress, remoteStatic, identity.SigningPublicKey, identity.Certificate,
                identity.ObservedAddress.Length == 0 ? null : identity.ObservedAddress);
            string? refusal = _options.Authorize?.Invoke(peer);
            if (refusal is not null)
            {
                return refusal;
            }
            Volatile.Write(ref _peer, peer);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload, clearArray: true);
        }
    }

    // Under _handshakeLock, after the last handshake message: move to transport keys.
    private void Establish()
    {
        HandshakeState handshake = _handshake!;
        (CipherState send, CipherState receive) = handshake.Split();
        handshake.Dispose();
        _handshake = null;
        long now = _time.GetTimestamp();
        lock (_receiveLock)
        {
            _rxCipher = receive;
            _rxWindow = new ReplayWindow();
            _rxEpoch = 0;
        }
        lock (_sendLock)
        {
            _txCipher = send;
            _txEpoch = 0;
            _txCounter = 0;
            _txEpochMessages = 0;
            _txEpochStartedAt = now;
        }
        _phase = Phase.Established;
        _established = true;
    }

    // After a valid packet from the responder, which proves it has message 3: stop keeping the handshake answer.
    private void ForgetHandshakeAnswer()
    {
        if (!IsInitiator || Volatile.Read(ref _cachedOutgoing) is null)
        {
            return;
        }
        lock (_handshakeLock)
        {
            _cachedIncoming = null;
            _cachedOutgoing = null;
        }
    }
}
