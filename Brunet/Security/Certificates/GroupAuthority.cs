using System.Security.Cryptography;
using System.Text;
using Brunet.Addressing;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Brunet.Security.Certificates;

/// <summary>
/// A group authority: the Ed25519 key (<c>ca.key</c>) that signs member certificates and revocation lists, and its
/// self-signed certificate (<c>ca.crt</c>). Lives only on the machine of whoever admits members (<c>groupvpn ca</c>).
/// </summary>
/// <remarks>
/// Key file format (UTF-8 text, '\n' line ends, at most 4 KiB, mode 0600):
/// <code>
/// brunet-group-authority-key v1
/// # comment lines and blank lines are ignored
/// group: NAME
/// ed25519-private: BASE64(32 bytes)
/// </code>
/// </remarks>
public sealed class GroupAuthority : IDisposable
{
    public const string KeyFileMagic = "brunet-group-authority-key v1";

    /// <remarks>An authority certificate is valid for 10 years unless told otherwise.</remarks>
    public static readonly TimeSpan DefaultAuthorityLifetime = TimeSpan.FromDays(3650);

    /// <remarks>A member certificate is valid for 1 year unless told otherwise.</remarks>
    public static readonly TimeSpan DefaultMemberLifetime = TimeSpan.FromDays(365);

    /// <remarks>
    /// A member certificate is valid from 10 minutes before it was signed, so a member whose clock is a little behind
    /// the authority's can use it at once.
    /// </remarks>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(10);

    private const int MaxKeyFileSize = 4096;
    private const string GroupField = "group";
    private const string KeyField = "ed25519-private";

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly byte[] _privateKey;
    private readonly Ed25519PrivateKeyParameters _key;
    private readonly TimeProvider _time;
    private readonly object _signLock = new();

    private GroupAuthority(byte[] privateKey, AuthorityCertificate? certificate, string groupName, TimeProvider time, TimeSpan lifetime)
    {
        _privateKey = privateKey;
        _key = new Ed25519PrivateKeyParameters(_privateKey, 0);
        _time = time;
        DateTimeOffset now = time.GetUtcNow();
        Certificate = certificate ?? AuthorityCertificate.Create(groupName, PublicKey(), now, now + lifetime, Sign);
    }

    public AuthorityCertificate Certificate { get; }

    public string GroupName => Certificate.GroupName;

    /// <summary>A new authority with a fresh key and a certificate valid for <paramref name="lifetime"/> (default 10 years).</summary>
    public static GroupAuthority Create(string groupName, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        string? invalid = CertificateNames.Validate(groupName);
        if (invalid is not null)
        {
            throw new ArgumentException("Group name: " + invalid, nameof(groupName));
        }
        time ??= TimeProvider.System;
        return new GroupAuthority(RandomNumberGenerator.GetBytes(NodeIdentity.KeySize), null, groupName, time,
            lifetime ?? DefaultAuthorityLifetime);
    }

    /// <summary>
    /// Loads ca.key and ca.crt and checks they belong together. <see cref="KeyFileException"/> for the key file,
    /// <see cref="CertificateException"/> for the certificate.
    /// </summary>
    public static GroupAuthority Load(string keyPath, string certificatePath, TimeProvider? time = null)
    {
        AuthorityCertificate certificate = AuthorityCertificate.Load(certificatePath);
        (byte[] key, string group) = ReadKeyFile(keyPath);
        var authority = new GroupAuthority(key, certificate, group, time ?? TimeProvider.System, DefaultAuthorityLifetime);
        if (!authority.PublicKey().AsSpan().SequenceEqual(certificate.PublicKey) || !CertificateNames.AreEqual(group, certificate.GroupName))
        {
            authority.Dispose();
            throw new CertificateException(certificatePath, $"is not the certificate of the key in {keyPath}");
        }
        return authority;
    }

    /// <summary>Writes ca.key (mode 0600; never over an existing file) and ca.crt.</summary>
    public void Save(string keyPath, string certificatePath)
    {
        string text = $"{KeyFileMagic}\n{GroupField}: {GroupName}\n{KeyField}: {Convert.ToBase64String(_privateKey)}\n";
        byte[] content = Encoding.ASCII.GetBytes(text);
        try
        {
            CertificateFiles.CreateSecret(keyPath, content);
        }
        catch (IOException e)
        {
            throw new KeyFileException(keyPath, File.Exists(keyPath)
                ? "already exists: refusing to overwrite a group authority's key"
                : "cannot be written: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException(keyPath, "cannot be written: " + e.Message, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
        CertificateFiles.WriteText(certificatePath, Certificate.ToArmor());
    }

    /// <summary>A member certificate for <paramref name="member"/>'s keys.</summary>
    public GroupCertificate Issue(string hostName, NodeIdentity member, TimeSpan? lifetime = null, ulong? serial = null) =>
        Issue(hostName, member.Address, member.StaticPublicKey.Span, member.SigningPublicKey.Span, lifetime, serial);

    /// <summary>
    /// A member certificate binding <paramref name="hostName"/> to the node with these public keys, valid from now
    /// (less <see cref="ClockSkewAllowance"/>) for <paramref name="lifetime"/> (default 1 year), but never past the
    /// authority's own expiry. The serial is random unless given.
    /// </summary>
    public GroupCertificate Issue(string hostName, Address address, ReadOnlySpan<byte> staticPublicKey, ReadOnlySpan<byte> signingPublicKey,
        TimeSpan? lifetime = null, ulong? serial = null)
    {
        string? invalid = CertificateNames.Validate(hostName);
        if (invalid is not null)
        {
            throw new ArgumentException("Host name: " + invalid, nameof(hostName));
        }
        if (NodeIdentity.DeriveAddress(staticPublicKey, signingPublicKey) != address)
        {
            throw new ArgumentException($"The keys do not derive the address {address}.", nameof(address));
        }
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset notAfter = now + (lifetime ?? DefaultMemberLifetime);
        if (notAfter > Certificate.Expires)
        {
            notAfter = Certificate.Expires;
        }
        return GroupCertificate.Create(Certificate, hostName, address, staticPublicKey, signingPublicKey, serial ?? NewSerial(),
            now - ClockSkewAllowance, notAfter, Sign);
    }

    /// <summary>
    /// A signed revocation list naming <paramref name="serials"/> (at most <see cref="RevocationList.MaxSerials"/>).
    /// <paramref name="sequence"/> must be higher than any list published before, or members keep the older one; the
    /// issue time in Unix seconds is a good choice.
    /// </summary>
    public RevocationList Revoke(IEnumerable<ulong> serials, ulong sequence) =>
        RevocationList.Create(Certificate, serials, sequence, _time.GetUtcNow(), Sign);

    public void Dispose() => CryptographicOperations.ZeroMemory(_privateKey);

    private static ulong NewSerial()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        // 63 bits: prints the same as a signed or unsigned number; never 0.
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 1) | 1;
    }

    private byte[] PublicKey() => _key.GeneratePublicKey().GetEncoded();

    private byte[] Sign(byte[] data)
    {
        var signer = new Ed25519Signer();
        lock (_signLock)
        {
            signer.Init(true, _key);
        }
        signer.BlockUpdate(data, 0, data.Length);
        return signer.GenerateSignature();
    }

    private static (byte[] Key, string Group) ReadKeyFile(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                throw new KeyFileException(path, "the file does not exist");
            }
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
            {
                throw new KeyFileException(path, "permissions are too open: a private key file must not be accessible by group or others (chmod 600 it)");
            }
            if (new FileInfo(path).Length > MaxKeyFileSize)
            {
                throw new KeyFileException(path, $"larger than {MaxKeyFileSize} bytes: not a group authority key file");
            }
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            throw new KeyFileException(path, "cannot be read: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException(path, "cannot be read: " + e.Message, e);
        }
        string[] lines = text.Split('\n');
        if (lines[0].TrimEnd('\r') != KeyFileMagic)
        {
            throw new KeyFileException(path, $"the first line is not '{KeyFileMagic}': not a group authority key file");
        }
        string? group = null;
        byte[]? key = null;
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            int colon = line.IndexOf(':');
            string name = colon > 0 ? line[..colon].Trim() : "";
            string value = colon > 0 ? line[(colon + 1)..].Trim() : "";
            if (name == GroupField && group is null && CertificateNames.IsValid(value))
            {
                group = value;
            }
            else if (name == KeyField && key is null)
            {
                byte[] decoded = new byte[NodeIdentity.KeySize + 3];
                bool ok = Convert.TryFromBase64String(value, decoded, out int written) && written == NodeIdentity.KeySize;
                key = ok ? decoded[..NodeIdentity.KeySize] : null;
                CryptographicOperations.ZeroMemory(decoded);
                if (key is null)
                {
                    throw new KeyFileException(path, $"line {i + 1}: '{KeyField}' is not {NodeIdentity.KeySize} bytes of base64");
                }
            }
            else
            {
                throw new KeyFileException(path, $"line {i + 1} is not a single '{GroupField}: NAME' or '{KeyField}: BASE64' line");
            }
        }
        if (group is null || key is null)
        {
            throw new KeyFileException(path, $"the field '{(group is null ? GroupField : KeyField)}' is missing (truncated file?)");
        }
        return (key, group);
    }
}
