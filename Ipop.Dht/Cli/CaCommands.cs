using Brunet.Security;
using Brunet.Security.Certificates;

namespace Ipop.Dht.Cli;

/// <summary>
/// <c>groupvpn ca init</c> and <c>groupvpn ca sign</c> (CONTRACT.md). Exit codes: 0 done, 2 a usage or file error
/// (one line on stderr naming the file or flag and the reason).
/// </summary>
internal static class CaCommands
{
    public const string AuthorityKeyFile = "ca.key";
    public const string AuthorityCertificateFile = "ca.crt";
    public const string NodeKeyFile = "node.key";
    public const string NodeCertificateFile = "node.crt";

    private const int Ok = 0;
    private const int UsageError = 2;

    /// <summary><c>ca init --out CADIR --name GROUP</c>: creates CADIR/ca.key (0600) and CADIR/ca.crt; never overwrites a ca.key.</summary>
    public static int Init(string outDir, string groupName, TextWriter stdout, TextWriter stderr) =>
        Init(outDir, groupName, stdout, stderr, TimeProvider.System);

    /// <summary>
    /// <c>ca sign --ca CADIR --name HOST --out DIR</c>: DIR/node.key (0600; an existing one is kept, so the host keeps
    /// its address), DIR/node.crt signed by the authority, a copy DIR/ca.crt; prints the member's node address on stdout.
    /// </summary>
    public static int Sign(string caDir, string hostName, string outDir, TextWriter stdout, TextWriter stderr) =>
        Sign(caDir, hostName, outDir, stdout, stderr, TimeProvider.System);

    internal static int Init(string outDir, string groupName, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        string? invalid = CertificateNames.Validate(groupName);
        if (invalid is not null)
        {
            stderr.WriteLine($"groupvpn ca init: --name: expected {invalid}");
            return UsageError;
        }
        string keyPath = Path.Combine(outDir, AuthorityKeyFile);
        string certificatePath = Path.Combine(outDir, AuthorityCertificateFile);
        if (File.Exists(keyPath))
        {
            stderr.WriteLine($"{keyPath}: already exists: refusing to overwrite a group authority's key "
                + "(its members' certificates would no longer verify); choose another --out");
            return UsageError;
        }
        try
        {
            Directory.CreateDirectory(outDir);
            using GroupAuthority authority = GroupAuthority.Create(groupName, time);
            authority.Save(keyPath, certificatePath);
            stdout.WriteLine($"Group authority '{groupName}' created: {keyPath} (secret, mode 0600) and {certificatePath} "
                + $"(valid until {authority.Certificate.Expires:yyyy-MM-dd}).");
            return Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{outDir}: cannot create the authority: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is KeyFileException or CertificateException)
        {
            stderr.WriteLine(e.Message);   // both name the file and the reason
            return UsageError;
        }
    }

    internal static int Sign(string caDir, string hostName, string outDir, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        string? invalid = CertificateNames.Validate(hostName);
        if (invalid is not null)
        {
            stderr.WriteLine($"groupvpn ca sign: --name: expected {invalid}");
            return UsageError;
        }
        string caCertificatePath = Path.Combine(caDir, AuthorityCertificateFile);
        string keyPath = Path.Combine(outDir, NodeKeyFile);
        string certificatePath = Path.Combine(outDir, NodeCertificateFile);
        string copyPath = Path.Combine(outDir, AuthorityCertificateFile);
        try
        {
            using GroupAuthority authority = GroupAuthority.Load(Path.Combine(caDir, AuthorityKeyFile), caCertificatePath, time);
            if (time.GetUtcNow() >= authority.Certificate.Expires)
            {
                stderr.WriteLine($"{caCertificatePath}: the group authority expired on {authority.Certificate.Expires:u}");
                return UsageError;
            }
            Directory.CreateDirectory(outDir);
            bool reused = File.Exists(keyPath);
            using NodeIdentity identity = reused ? NodeIdentity.Load(keyPath) : NodeIdentity.Generate();
            if (!reused)
            {
                identity.Save(keyPath);
            }
            GroupCertificate certificate = authority.Issue(hostName, identity);
            CertificateFiles.WriteText(certificatePath, certificate.ToArmor());
            if (!SameFile(caCertificatePath, copyPath))
            {
                CertificateFiles.WriteText(copyPath, authority.Certificate.ToArmor());
            }
            if (reused)
            {
                stderr.WriteLine($"Reused the existing {keyPath}: {hostName} keeps its node address.");
            }
            stderr.WriteLine($"Signed {hostName} into group {authority.GroupName}: {certificatePath}, serial {certificate.Serial}, "
                + $"valid until {certificate.NotAfter:yyyy-MM-dd}.");
            stdout.WriteLine(identity.Address.ToString());
            return Ok;
        }
        catch (Exception e) when (e is KeyFileException or CertificateException)
        {
            stderr.WriteLine(e.Message);   // both name the file and the reason
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{outDir}: cannot write the member's files: {e.Message}");
            return UsageError;
        }
    }

    public const string RevocationListFile = "ca.crl";

    /// <summary>
    /// <c>ca revoke --ca CADIR --serial N...</c>: adds the serials to the authority's revocation list CADIR/ca.crl (a
    /// higher sequence each time) and prints the list's DHT key and armoured text, to publish with
    /// <c>bput KEY "$(cat CADIR/ca.crl)" --ttl 604800</c>; members re-publish it while it lives.
    /// </summary>
    public static int Revoke(string caDir, IReadOnlyList<ulong> serials, TextWriter stdout, TextWriter stderr)
    {
        string listPath = Path.Combine(caDir, RevocationListFile);
        try
        {
            using GroupAuthority authority = GroupAuthority.Load(Path.Combine(caDir, AuthorityKeyFile), Path.Combine(caDir, AuthorityCertificateFile));
            ulong sequence = 1;
            var all = new SortedSet<ulong>(serials);
            if (File.Exists(listPath))
            {
                RevocationList previous = RevocationList.DecodeAny(System.Text.Encoding.ASCII.GetBytes(CertificateFiles.ReadText(listPath)));
                sequence = previous.Sequence + 1;
                all.UnionWith(previous.Serials);
            }
            if (all.Count > RevocationList.MaxSerials)
            {
                stderr.WriteLine($"{listPath}: a revocation list holds at most {RevocationList.MaxSerials} serials; re-issue the group instead");
                return UsageError;
            }
            RevocationList list = authority.Revoke(all, sequence);
            CertificateFiles.WriteText(listPath, list.ToArmor());
            stdout.WriteLine(GroupTrust.RevocationKeyFor(authority.GroupName));
            stdout.Write(list.ToArmor());
            stderr.WriteLine($"Revocation list {listPath}: sequence {sequence}, {all.Count} serial(s).");
            return Ok;
        }
        catch (Exception e) when (e is KeyFileException or CertificateException)
        {
            stderr.WriteLine(e.Message);   // both name the file and the reason
            return UsageError;
        }
        catch (Brunet.Messaging.WireFormatException e)
        {
            stderr.WriteLine($"{listPath}: not a revocation list: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{listPath}: cannot write the revocation list: {e.Message}");
            return UsageError;
        }
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
