using Brunet.Security;
using Brunet.Security.Certificates;
using Ipop.Dht.Cli;

namespace Ipop.Dht.Tests.Security;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CaCommandsTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("groupvpn-ca-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void InitAndSign_TempDirectory_WriteFilesWithModesAndPrintAddress()
    {
        string ca = Path.Combine(_dir, "ca");
        string host = Path.Combine(_dir, "alice");
        (int initCode, string initOut, string initErr) = Run(o => CaCommands.Init(ca, "lab", o.Out, o.Err));
        Assert.That(initCode, Is.Zero, initErr);
        Assert.That(initOut, Does.Contain("lab"));

        (int signCode, string signOut, string signErr) = Run(o => CaCommands.Sign(ca, "alice", host, o.Out, o.Err));
        Assert.That(signCode, Is.Zero, signErr);
        using NodeIdentity identity = NodeIdentity.Load(Path.Combine(host, "node.key"));
        Assert.Multiple(() =>
        {
            Assert.That(signOut, Is.EqualTo(identity.Address + Environment.NewLine), "stdout is just the address line");
            Assert.That(File.GetUnixFileMode(Path.Combine(ca, "ca.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.Combine(host, "node.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.ReadAllText(Path.Combine(host, "ca.crt")), Is.EqualTo(File.ReadAllText(Path.Combine(ca, "ca.crt"))));
        });
        GroupTrust trust = GroupTrust.Load(Path.Combine(host, "ca.crt"), "a", Path.Combine(host, "node.crt"), "c", identity);
        Assert.That((trust.GroupName, trust.HostName, trust.Local.Address), Is.EqualTo(("lab", "alice", identity.Address)));
    }

    [Test]
    public void Sign_ExistingNodeKey_ReusesItAndSaysSo()
    {
        string ca = Path.Combine(_dir, "ca");
        string host = Path.Combine(_dir, "bob");
        Assert.That(Run(o => CaCommands.Init(ca, "lab", o.Out, o.Err)).Code, Is.Zero);
        (_, string first, _) = Run(o => CaCommands.Sign(ca, "bob", host, o.Out, o.Err));
        string crt = File.ReadAllText(Path.Combine(host, "node.crt"));
        (int code, string second, string err) = Run(o => CaCommands.Sign(ca, "bob", host, o.Out, o.Err));
        Assert.That(code, Is.Zero);
        Assert.That(second, Is.EqualTo(first), "the host keeps its address");
        Assert.That(err, Does.Contain("Reused the existing"));
        Assert.That(File.ReadAllText(Path.Combine(host, "node.crt")), Is.Not.EqualTo(crt), "a new certificate (new serial)");
    }

    [Test]
    public void Init_ExistingCaKey_RefusesWithExit2()
    {
        Assert.That(Run(o => CaCommands.Init(_dir, "lab", o.Out, o.Err)).Code, Is.Zero);
        string before = File.ReadAllText(Path.Combine(_dir, "ca.key"));
        (int code, _, string err) = Run(o => CaCommands.Init(_dir, "other", o.Out, o.Err));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.StartWith(Path.Combine(_dir, "ca.key") + ": already exists"));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(File.ReadAllText(Path.Combine(_dir, "ca.key")), Is.EqualTo(before));
    }

    [TestCase("-bad")]
    [TestCase("bad.name")]
    [TestCase("")]
    public void InitAndSign_InvalidName_Exit2(string name)
    {
        (int code, _, string err) = Run(o => CaCommands.Init(_dir, name, o.Out, o.Err));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--name"));
        Assert.That(Run(o => CaCommands.Sign(_dir, name, _dir, o.Out, o.Err)).Code, Is.EqualTo(2));
        Assert.That(File.Exists(Path.Combine(_dir, "ca.key")), Is.False);
    }

    [Test]
    public void Sign_MissingAuthority_Exit2NamingTheFile()
    {
        (int code, string stdout, string err) = Run(o => CaCommands.Sign(Path.Combine(_dir, "none"), "alice", _dir, o.Out, o.Err));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(err, Does.Contain(Path.Combine(_dir, "none", "ca.crt")).And.Contain("does not exist"));
    }

    [Test]
    public void Sign_CaKeyReadableByOthers_Exit2()
    {
        Assert.That(Run(o => CaCommands.Init(_dir, "lab", o.Out, o.Err)).Code, Is.Zero);
        File.SetUnixFileMode(Path.Combine(_dir, "ca.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        (int code, _, string err) = Run(o => CaCommands.Sign(_dir, "alice", Path.Combine(_dir, "h"), o.Out, o.Err));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("ca.key").And.Contain("too open"));
    }

    private static (int Code, string Out, string Err) Run(Func<(TextWriter Out, TextWriter Err), int> command)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = command((stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
