using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Brunet.Addressing;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Brunet.Security;

/// <summary>
/// A node's long-term keys: an X25519 static key for the Noise handshake and an Ed25519 key for signatures. The node
/// address is derived from both public keys, so a node proves its address in every handshake (DESIGN.md).
/// </summary>
/// <remarks>
/// Key file format (UTF-8 text, '\n' line ends, at most 4 KiB, mode 0600):
/// <code>
/// brunet-node-key v1
/// # comment lines and blank lines are ignored
/// x25519-private: BASE64(32 bytes)
/// ed25519-private: BASE64(32 bytes)
/// address: brunet:node:...      (must match the address derived from the keys)
/// </code>
/// The first line is the magic and version; each of the three fields appears exactly once; anything else is refused.
/// </remarks>
public sealed class NodeIdentity : IDisposable
{
    public const int KeySize = 32;
    public const int SignatureSize = 64;

    /// <summary>The key file's first line: the format's magic and version.</summary>
    public const string FileMagic = "brunet-node-key v1";

    private const int MaxFileSize = 4096;
    private const string StaticField = "x25519-private";
    private const string SigningField = "ed25519-private";
    private const string AddressField = "address";

    private static readonly byte[] s_addressDomain = Encoding.ASCII.GetBytes("brunet-node-address-v1");

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly X25519KeyPair _static;
    private readonly byte[] _signingPrivate = new byte[KeySize];
    private readonly byte[] _signingPublic = new byte[KeySize];
    private readonly Ed25519PrivateKeyParameters _signingKey;
    private readonly object _signLock = new();

    private NodeIdentity(X25519KeyPair staticKey, ReadOnlySpan<byte> signingPrivate)
    {
        _static = staticKey;
        signingPrivate.CopyTo(_signingPrivate);
        _signingKey = new Ed25519PrivateKeyParameters(_signingPrivate, 0);
        _signingKey.GeneratePublicKey().Encode(_signingPublic, 0);
        Address = DeriveAddress(_static.PublicKey, _signingPublic);
    }

    /// <summary>The node address: <see cref="DeriveAddress"/> of the two public keys.</summary>
    public Address Address { get; }

    /// <summary>The X25519 public key used as the Noise static key (32 bytes).</summary>
    public ReadOnlyMemory<byte> StaticPublicKey => _static.PublicKey.ToArray();

    /// <summary>The Ed25519 public key (32 bytes).</summary>
    public ReadOnlyMemory<byte> SigningPublicKey => _signingPublic.AsMemory().ToArray();

    internal X25519KeyPair StaticKeyPair => _static;

    public static NodeIdentity Generate()
    {
        Span<byte> signing = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(signing);
        try
        {
            return new NodeIdentity(X25519KeyPair.Generate(), signing);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(signing);
        }
    }

    /// <summary>An identity from raw private keys (tests and tools).</summary>
    internal static NodeIdentity FromPrivateKeys(ReadOnlySpan<byte> staticPrivate, ReadOnlySpan<byte> signingPrivate)
    {
        if (signingPrivate.Length != KeySize)
        {
            throw new ArgumentException($"An Ed25519 private key has {KeySize} bytes.", nameof(signingPrivate));
        }
        return new NodeIdentity(X25519KeyPair.FromPrivateKey(staticPrivate), signingPrivate);
    }

    /// <summary>
    /// SIMULATION ONLY: an identity whose Noise DH is the hash-based stand-in <see cref="SimulatedDh"/> instead of
    /// X25519 (some 100 times cheaper, and no secrecy at all). The simulator uses it so that a handshake costs
    /// microseconds; a simulated node can only complete handshakes with other simulated nodes. Real nodes never get
    /// one: <see cref="Generate"/>, <see cref="LoadOrCreate"/> and <see cref="FromPrivateKeys"/> always make X25519 keys.
    /// </summary>
    internal static NodeIdentity ForSimulation(ReadOnlySpan<byte> staticPrivate, ReadOnlySpan<byte> signingPrivate)
    {
        if (signingPrivate.Length != KeySize)
        {
            throw new ArgumentException($"An Ed25519 private key has {KeySize} bytes.", nameof(signingPrivate));
        }
        return new NodeIdentity(X25519KeyPair.FromPrivateKeySimulated(staticPrivate), signingPrivate);
    }

    /// <summary>
    /// The node address of a key pair: <c>Address.FromHash("brunet-node-address-v1" || staticPub || signingPub)</c>
    /// (SHA-256, first 20 bytes, class bit cleared).
    /// </summary>
    public static Address DeriveAddress(ReadOnlySpan<byte> staticPublicKey, ReadOnlySpan<byte> signingPublicKey)
    {
        Span<byte> input = stackalloc byte[s_addressDomain.Length + staticPublicKey.Length + signingPublicKey.Length];
        s_addressDomain.CopyTo(input);
        staticPublicKey.CopyTo(input[s_addressDomain.Length..]);
        signingPublicKey.CopyTo(input[(s_addressDomain.Length + staticPublicKey.Length)..]);
        return Address.FromHash(input);
    }

    /// <summary>An Ed25519 signature (64 bytes) of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        var signer = new Ed25519Signer();
        lock (_signLock)
        {
            signer.Init(true, _signingKey);
        }
        signer.BlockUpdate(copy, 0, copy.Length);
        return signer.GenerateSignature();
    }

    /// <summary>True when <paramref name="signature"/> is a valid Ed25519 signature; false (never throws) on bad lengths.</summary>
    public static bool Verify(ReadOnlySpan<byte> signingPublicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signingPublicKey.Length != KeySize || signature.Length != SignatureSize)
        {
            return false;
        }
        try
        {
            var signer = new Ed25519Signer();
            signer.Init(false, new Ed25519PublicKeyParameters(signingPublicKey.ToArray(), 0));
            byte[] copy = data.ToArray();
            signer.BlockUpdate(copy, 0, copy.Length);
            return signer.VerifySignature(signature.ToArray());
        }
        catch (ArgumentException)
        {
            // A public key that is not a curve point: BouncyCastle may refuse it rather than return false.
            return false;
        }
    }

    /// <summary>X25519 DH of our static key with <paramref name="peerPublic"/>; throws on a low-order peer key.</summary>
    internal void Agree(ReadOnlySpan<byte> peerPublic, Span<byte> sharedSecret)
    {
        if (!_static.TryAgree(peerPublic, sharedSecret))
        {
            throw new CryptographicException("X25519 agreement failed: bad length or low-order peer key.");
        }
    }

    /// <summary>Loads the key file at <paramref name="path"/>, or creates one (mode 0600) when there is none.</summary>
    public static NodeIdentity LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return Load(path);
        }
        NodeIdentity identity = Generate();
        identity.Save(path);
        return identity;
    }

    /// <summary>Loads a key file; <see cref="KeyFileException"/> when it is missing, malformed or readable by others.</summary>
    public static NodeIdentity Load(string path)
    {
        byte[] content;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                UnixFileMode mode = File.GetUnixFileMode(path);
                if ((mode & GroupOrOther) != 0)
                {
                    throw new KeyFileException(path, $"permissions {FormatMode(mode)} are too open: a private key file must not be "
                        + "accessible by group or others (chmod 600 it)");
                }
            }
            var info = new FileInfo(path);
            if (info.Length > MaxFileSize)
            {
                throw new KeyFileException(path, $"larger than {MaxFileSize} bytes: not a node key file");
            }
            content = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new KeyFileException(path, "cannot be read: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException(path, "cannot be read: " + e.Message, e);
        }
        try
        {
            return Parse(path, content);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    /// <summary>Writes the key file with mode 0600 (replacing an existing one through a temporary file).</summary>
    public void Save(string path)
    {
        byte[] content = Format();
        string temp = path + ".tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);   // a stale .tmp kept its mode
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e)
        {
            throw new KeyFileException(path, "cannot be written: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException(path, "cannot be written: " + e.Message, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    public void Dispose()
    {
        _static.Dispose();
        CryptographicOperations.ZeroMemory(_signingPrivate);
    }

    private byte[] Format()
    {
        string address = Address.ToString();
        int length = FileMagic.Length + 1
            + StaticField.Length + 2 + Base64.GetMaxEncodedToUtf8Length(KeySize) + 1
            + SigningField.Length + 2 + Base64.GetMaxEncodedToUtf8Length(KeySize) + 1
            + AddressField.Length + 2 + address.Length + 1;
        byte[] content = new byte[length];
        int offset = 0;
        offset += WriteAscii(FileMagic + "\n", content.AsSpan(offset));
        offset += WriteKey(StaticField, _static.PrivateKey, content.AsSpan(offset));
        offset += WriteKey(SigningField, _signingPrivate, content.AsSpan(offset));
        offset += WriteAscii(AddressField + ": " + address + "\n", content.AsSpan(offset));
        return offset == length ? content : throw new InvalidOperationException("Key file length miscounted.");
    }

    private static int WriteKey(string field, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        int offset = WriteAscii(field + ": ", destination);
        Base64.EncodeToUtf8(key, destination[offset..], out _, out int written);
        offset += written;
        destination[offset++] = (byte)'\n';
        return offset;
    }

    private static int WriteAscii(string text, Span<byte> destination) => Encoding.ASCII.GetBytes(text, destination);

    private static NodeIdentity Parse(string path, ReadOnlySpan<byte> content)
    {
        Span<byte> staticKey = stackalloc byte[KeySize];
        Span<byte> signingKey = stackalloc byte[KeySize];
        try
        {
            bool sawMagic = false;
            bool sawStatic = false;
            bool sawSigning = false;
            string? addressText = null;
            int lineNumber = 0;
            ReadOnlySpan<byte> rest = content;
            while (!rest.IsEmpty)
            {
                int end = rest.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? ReadOnlySpan<byte>.Empty : rest[(end + 1)..];
                lineNumber++;
                line = line.TrimEnd((byte)'\r');
                if (!sawMagic)
                {
                    if (!line.SequenceEqual(Encoding.ASCII.GetBytes(FileMagic)))
                    {
                        throw new KeyFileException(path, $"the first line is not '{FileMagic}': not a node key file, or another version");
                    }
                    sawMagic = true;
                    continue;
                }
                if (line.Trim((byte)' ').IsEmpty || line[0] == (byte)'#')
                {
                    continue;
                }
                int colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    throw new KeyFileException(path, $"line {lineNumber} is not 'name: value'");
                }
                string name = Encoding.ASCII.GetString(line[..colon]).Trim();
                ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
                switch (name)
                {
                    case StaticField:
                        ReadKey(path, lineNumber, name, value, staticKey, ref sawStatic);
                        break;
                    case SigningField:
                        ReadKey(path, lineNumber, name, value, signingKey, ref sawSigning);
                        break;
                    case AddressField:
                        if (addressText is not null)
                        {
                            throw new KeyFileException(path, $"line {lineNumber}: '{AddressField}' appears twice");
                        }
                        addressText = Encoding.UTF8.GetString(value);
                        break;
                    default:
                        throw new KeyFileException(path, $"line {lineNumber}: unknown field '{name}'");
                }
            }
            if (!sawMagic)
            {
                throw new KeyFileException(path, "the file is empty");
            }
            if (!sawStatic || !sawSigning || addressText is null)
            {
                string missing = !sawStatic ? StaticField : !sawSigning ? SigningField : AddressField;
                throw new KeyFileException(path, $"the field '{missing}' is missing (truncated file?)");
            }
            NodeIdentity identity = FromPrivateKeys(staticKey, signingKey);
            if (!Address.TryParse(addressText, out Address address) || address != identity.Address)
            {
                identity.Dispose();
                throw new KeyFileException(path, $"the '{AddressField}' line does not match the keys (edited or corrupted file)");
            }
            return identity;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(staticKey);
            CryptographicOperations.ZeroMemory(signingKey);
        }
    }

    private static void ReadKey(string path, int lineNumber, string name, ReadOnlySpan<byte> value, Span<byte> key, ref bool seen)
    {
        if (seen)
        {
            throw new KeyFileException(path, $"line {lineNumber}: '{name}' appears twice");
        }
        Span<byte> decoded = stackalloc byte[Base64.GetMaxDecodedFromUtf8Length(64)];
        try
        {
            if (value.Length > 64
                || Base64.DecodeFromUtf8(value, decoded, out int consumed, out int written) != System.Buffers.OperationStatus.Done
                || consumed != value.Length || written != KeySize)
            {
                throw new KeyFileException(path, $"line {lineNumber}: '{name}' is not {KeySize} bytes of base64");
            }
            decoded[..KeySize].CopyTo(key);
            seen = true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    private static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
