using System.Security.Cryptography;

namespace Brunet.Security;

/// <summary>
/// Noise HandshakeState (rev. 34 §5.3) for the one pattern we speak, XX:
/// <code>
///   -> e
///   &lt;- e, ee, s, es
///   -> s, se
/// </code>
/// Messages are written and read strictly in turn; a failed read leaves the state unusable (§5.3: abort).
/// </summary>
internal sealed class HandshakeState : IDisposable
{
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";

    /// <summary>Noise's limit on one message (§3).</summary>
    public const int MaxMessageSize = 65535;

    private const int DhSize = X25519KeyPair.KeySize;
    private const int EncryptedKeySize = DhSize + CipherState.TagSize;

    private readonly SymmetricState _symmetric;
    private readonly X25519KeyPair _static;
    private readonly byte[] _remoteEphemeral = new byte[DhSize];
    private readonly byte[] _remoteStatic = new byte[DhSize];
    private X25519KeyPair? _ephemeral;
    private int _messageIndex;
    private bool _failed;

    /// <param name="isInitiator">True for the side that sends the first message.</param>
    /// <param name="prologue">Data both sides must agree on; a mismatch fails the handshake at the first tag.</param>
    /// <param name="localStatic">Our static key pair; not owned (not disposed here).</param>
    /// <param name="fixedEphemeral">A fixed ephemeral key, for test vectors only; owned from here on.</param>
    public HandshakeState(bool isInitiator, ReadOnlySpan<byte> prologue, X25519KeyPair localStatic, X25519KeyPair? fixedEphemeral = null)
    {
        IsInitiator = isInitiator;
        _static = localStatic;
        // A simulated key (SimulatedDh) also gets the simulated cipher; a real key never does.
        _symmetric = new SymmetricState(ProtocolName, localStatic.IsSimulated);
        _ephemeral = fixedEphemeral;
        _symmetric.MixHash(prologue);
    }

    public bool IsInitiator { get; }

    /// <summary>True after the third message was written or read: <see cref="Split"/> may be called.</summary>
    public bool IsComplete => _messageIndex == 3 && !_failed;

    /// <summary>True when it is our turn to write.</summary>
    public bool IsMyTurn => !_failed && _messageIndex < 3 && ((_messageIndex % 2 == 0) == IsInitiator);

    /// <summary>The peer's static public key; valid once the message carrying it was read.</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _remoteStatic;

    /// <summary>The peer's ephemeral public key; valid once its first message was read.</summary>
    public ReadOnlySpan<byte> RemoteEphemeralPublicKey => _remoteEphemeral;

    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>Bytes the handshake adds to a payload in message <paramref name="index"/> (0, 1 or 2).</summary>
    public static int Overhead(int index) => index switch
    {
        0 => DhSize,
        1 => DhSize + EncryptedKeySize + CipherState.TagSize,
        2 => EncryptedKeySize + CipherState.TagSize,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>
    /// WriteMessage(payload): returns the bytes written to <paramref name="message"/>. Throws
    /// <see cref="CryptographicException"/> (and the handshake is dead) when the peer's ephemeral key is low-order.
    /// </summary>
    public int WriteMessage(ReadOnlySpan<byte> payload, Span<byte> message)
    {
        if (!IsMyTurn)
        {
            throw new InvalidOperationException("It is not this side's turn to write a handshake message.");
        }
        int index = _messageIndex;
        if (message.Length < Overhead(index) + payload.Length || Overhead(index) + payload.Length > MaxMessageSize)
        {
            throw new ArgumentException("The handshake message does not fit.", nameof(message));
        }
        int offset = 0;
        switch (index)
        {
            case 0:
                offset += WriteEphemeral(message);
                break;
            case 1:
                offset += WriteEphemeral(message);
                RequireDh(_ephemeral!, _remoteEphemeral);                           // ee
                offset += _symmetric.EncryptAndHash(_static.PublicKey, message[offset..]);   // s
                RequireDh(_static, _remoteEphemeral);                               // es (responder: DH(s, re))
                break;
            default:
                offset += _symmetric.EncryptAndHash(_static.PublicKey, message[offset..]);   // s
                RequireDh(_static, _remoteEphemeral);                               // se (initiator: DH(s, re))
                break;
        }
        offset += _symmetric.EncryptAndHash(payload, message[offset..]);
        _messageIndex++;
        return offset;
    }

    /// <summary>
    /// ReadMessage(message): false (and the handshake is dead) on a wrong length, a bad tag or a low-order key.
    /// <paramref name="payload"/> needs at least message.Length bytes.
    /// </summary>
    public bool TryReadMessage(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength)
    {
        payloadLength = 0;
        if (_failed || _messageIndex >= 3 || IsMyTurn)
        {
            return false;
        }
        int index = _messageIndex;
        if (message.Length < Overhead(index) || message.Length > MaxMessageSize || payload.Length < message.Length)
        {
            return Fail();
        }
        int offset = 0;
        bool ok = true;
        switch (index)
        {
            case 0:
                offset += ReadEphemeral(message);
                break;
            case 1:
                offset += ReadEphemeral(message);
                ok = MixDh(_ephemeral!, _remoteEphemeral)                              // ee
                    && ReadStatic(message.Slice(offset, EncryptedKeySize))             // s
                    && MixDh(_ephemeral!, _remoteStatic);                              // es (initiator: DH(e, rs))
                offset += EncryptedKeySize;
                break;
            default:
                ok = ReadStatic(message[..EncryptedKeySize])                           // s
                    && MixDh(_ephemeral!, _remoteStatic);                              // se (responder: DH(e, rs))
                offset += EncryptedKeySize;
                break;
        }
        if (!ok || !_symmetric.TryDecryptAndHash(message[offset..], payload, out payloadLength))
        {
            payloadLength = 0;
            return Fail();
        }
        _messageIndex++;
        return true;
    }

    /// <summary>Split(): (send, receive) from this side's point of view. Call once, after the last message.</summary>
    public (CipherState Send, CipherState Receive) Split()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("The handshake is not complete.");
        }
        (CipherState first, CipherState second) = _symmetric.Split();
        return IsInitiator ? (first, second) : (second, first);
    }

    public void Dispose()
    {
        _symmetric.Dispose();
        _ephemeral?.Dispose();
        _ephemeral = null;
    }

    private int WriteEphemeral(Span<byte> message)
    {
        _ephemeral ??= X25519KeyPair.GenerateLike(_static);   // simulated only when our static key is
        _ephemeral.PublicKey.CopyTo(message);
        _symmetric.MixHash(_ephemeral.PublicKey);
        return DhSize;
    }

    private int ReadEphemeral(ReadOnlySpan<byte> message)
    {
        message[..DhSize].CopyTo(_remoteEphemeral);
        _symmetric.MixHash(_remoteEphemeral);
        return DhSize;
    }

    private bool ReadStatic(ReadOnlySpan<byte> encrypted)
    {
        return _symmetric.TryDecryptAndHash(encrypted, _remoteStatic, out int written) && written == DhSize;
    }

    private bool MixDh(X25519KeyPair local, ReadOnlySpan<byte> remotePublic)
    {
        Span<byte> shared = stackalloc byte[DhSize];
        try
        {
            if (!local.TryAgree(remotePublic, shared))
            {
                return false;
            }
            _symmetric.MixKey(shared);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    private void RequireDh(X25519KeyPair local, ReadOnlySpan<byte> remotePublic)
    {
        if (!MixDh(local, remotePublic))
        {
            Fail();
            throw new CryptographicException("The peer's ephemeral key is a low-order point.");
        }
    }

    private bool Fail()
    {
        _failed = true;
        return false;
    }
}
