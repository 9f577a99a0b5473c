using System.Buffers.Binary;
using System.Text;
using Brunet.Addressing;

namespace Brunet.Security;

/// <summary>
/// The handshake payload of messages 2 and 3, encrypted by Noise:
/// <code>
/// [version u8 = 1][Ed25519 public key 32][claimed node address 20]
/// [observed length u8][observed transport address, UTF-8][certificate length u16 BE][certificate]
/// </code>
/// A certificate length of 0 means none. Trailing bytes are refused.
/// </summary>
internal readonly record struct IdentityPayload(byte[] SigningPublicKey, Address ClaimedAddress, string ObservedAddress, byte[]? Certificate)
{
    public const byte Version = 1;
    public const int FixedSize = 1 + NodeIdentity.KeySize + Address.Size + 1 + 2;
    public const int MaxObservedLength = byte.MaxValue;
    public const int MaxSize = FixedSize + MaxObservedLength + HandshakeOptions.MaxCertificateSize;

    public int Size => FixedSize + Encoding.UTF8.GetByteCount(ObservedAddress) + (Certificate?.Length ?? 0);

    /// <summary>Writes the payload; throws when the observed address or certificate is too long.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int observedLength = Encoding.UTF8.GetByteCount(ObservedAddress);
        int certificateLength = Certificate?.Length ?? 0;
        if (observedLength > MaxObservedLength)
        {
            throw new ArgumentException($"The observed address has {observedLength} bytes, more than {MaxObservedLength}.");
        }
        if (certificateLength > HandshakeOptions.MaxCertificateSize)
        {
            throw new ArgumentException($"The certificate has {certificateLength} bytes, more than {HandshakeOptions.MaxCertificateSize}.");
        }
        int offset = 0;
        destination[offset++] = Version;
        SigningPublicKey.CopyTo(destination[offset..]);
        offset += NodeIdentity.KeySize;
        ClaimedAddress.WriteTo(destination[offset..]);
        offset += Address.Size;
        destination[offset++] = (byte)observedLength;
        offset += Encoding.UTF8.GetBytes(ObservedAddress, destination[offset..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)certificateLength);
        offset += 2;
        Certificate?.CopyTo(destination[offset..]);
        return offset + certificateLength;
    }

    /// <summary>False on any length or version problem; never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out IdentityPayload payload)
    {
        payload = default;
        if (source.Length < FixedSize || source[0] != Version)
        {
            return false;
        }
        int offset = 1;
        byte[] signingKey = source.Slice(offset, NodeIdentity.KeySize).ToArray();
        offset += NodeIdentity.KeySize;
        Address claimed = Address.Read(source[offset..]);
        offset += Address.Size;
        int observedLength = source[offset++];
        if (source.Length - offset < observedLength + 2)
        {
            return false;
        }
        string observed;
        try
        {
            observed = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(source.Slice(offset, observedLength));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        offset += observedLength;
        int certificateLength = BinaryPrimitives.ReadUInt16BigEndian(source[offset..]);
        offset += 2;
        if ((uint)certificateLength > HandshakeOptions.MaxCertificateSize || source.Length - offset != certificateLength)
        {
            return false;
        }
        byte[]? certificate = certificateLength == 0 ? null : source.Slice(offset, certificateLength).ToArray();
        payload = new IdentityPayload(signingKey, claimed, observed, certificate);
        return true;
    }
}
