using System.Text;
using Brunet.Security;

namespace Brunet.Tests.Security;

public sealed class NodeIdentityTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "brunet-identity-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void LoadOrCreate_NoFile_CreatesMode0600AndLoadsTheSameKeysBack()
    {
        string path = Path.Combine(_directory, "node.key");

        using NodeIdentity created = NodeIdentity.LoadOrCreate(path);
        using NodeIdentity loaded = NodeIdentity.LoadOrCreate(path);

        Assert.That(File.Exists(path), Is.True);
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
        Assert.That(loaded.Address, Is.EqualTo(created.Address));
        Assert.That(loaded.StaticPublicKey.ToArray(), Is.EqualTo(created.StaticPublicKey.ToArray()));
        Assert.That(loaded.SigningPublicKey.ToArray(), Is.EqualTo(created.SigningPublicKey.ToArray()));
        Assert.That(File.ReadAllText(path), Does.StartWith(NodeIdentity.FileMagic + "\n"));
        Assert.That(File.ReadAllText(path), Does.Contain("address: " + created.Address));
    }

    [Test]
    public void Save_ThenLoad_RoundTripsAndSignaturesVerify()
    {
        string path = Path.Combine(_directory, "node.key");
        using NodeIdentity identity = NodeIdentity.Generate();
        identity.Save(path);
        using NodeIdentity loaded = NodeIdentity.Load(path);

        byte[] signature = loaded.Sign("record"u8);

        Assert.That(signature, Has.Length.EqualTo(64));
        Assert.That(NodeIdentity.Verify(identity.SigningPublicKey.Span, "record"u8, signature), Is.True);
        Assert.That(NodeIdentity.Verify(identity.SigningPublicKey.Span, "recorD"u8, signature), Is.False);
    }

    [Test]
    public void Verify_BadLengthsOrGarbageKey_ReturnsFalseWithoutThrowing()
    {
        using NodeIdentity identity = NodeIdentity.Generate();
        byte[] signature = identity.Sign("x"u8);

        Assert.That(NodeIdentity.Verify(identity.SigningPublicKey.Span[..31], "x"u8, signature), Is.False);
        Assert.That(NodeIdentity.Verify(identity.SigningPublicKey.Span, "x"u8, signature.AsSpan(0, 63)), Is.False);
        Assert.That(NodeIdentity.Verify(new byte[32], "x"u8, signature), Is.False);
        byte[] garbage = new byte[32];
        Array.Fill(garbage, (byte)0xff);
        Assert.That(NodeIdentity.Verify(garbage, "x"u8, signature), Is.False);
    }

    [Test]
    public void DeriveAddress_Keys_IsTheDocumentedHashAndANodeAddress()
    {
        using NodeIdentity identity = NodeIdentity.Generate();
        byte[] input = [.. "brunet-node-address-v1"u8, .. identity.StaticPublicKey.Span, .. identity.SigningPublicKey.Span];

        Assert.That(identity.Address, Is.EqualTo(Brunet.Addressing.Address.FromHash(input)));
        Assert.That(identity.Address.IsNodeAddress, Is.True);
        Assert.That(NodeIdentity.Generate().Address, Is.Not.EqualTo(identity.Address));
    }

    [Test]
    public void Agree_TwoIdentities_ComputeTheSameSecret()
    {
        using NodeIdentity a = NodeIdentity.Generate();
        using NodeIdentity b = NodeIdentity.Generate();
        byte[] ab = new byte[32];
        byte[] ba = new byte[32];

        a.Agree(b.StaticPublicKey.Span, ab);
        b.Agree(a.StaticPublicKey.Span, ba);

        Assert.That(ab, Is.EqualTo(ba));
        Assert.That(ab, Is.Not.EqualTo(new byte[32]));
    }

    [TestCase(UnixFileMode.GroupRead)]
    [TestCase(UnixFileMode.OtherRead)]
    [TestCase(UnixFileMode.GroupWrite)]
    public void Load_GroupOrWorldAccessible_RefusedLikeSsh(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only.");
            return;
        }
        string path = Path.Combine(_directory, "node.key");
        using (NodeIdentity identity = NodeIdentity.Generate())
        {
            identity.Save(path);
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        KeyFileException e = Assert.Throws<KeyFileException>(() => NodeIdentity.Load(path))!;

        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("too open"));
    }

    [TestCase("", "empty")]
    [TestCase("not a key file\n", "first line")]
    [TestCase("brunet-node-key v2\n", "first line")]
    [TestCase("brunet-node-key v1\n", "missing")]
    [TestCase("brunet-node-key v1\nx25519-private: AAAA\n", "base64")]
    [TestCase("brunet-node-key v1\nsomething: 1\n", "unknown field")]
    [TestCase("brunet-node-key v1\nno colon here\n", "name: value")]
    public void Load_MalformedFile_ThrowsKeyFileExceptionNamingFileAndReason(string content, string reasonPart)
    {
        string path = Path.Combine(_directory, "bad.key");
        WritePrivate(path, Encoding.UTF8.GetBytes(content));

        KeyFileException e = Assert.Throws<KeyFileException>(() => NodeIdentity.Load(path))!;

        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Reason, Does.Contain(reasonPart));
    }

    [Test]
    public void Load_EveryTruncationOfAValidFile_ThrowsKeyFileException()
    {
        string good = Path.Combine(_directory, "good.key");
        using (NodeIdentity identity = NodeIdentity.Generate())
        {
            identity.Save(good);
        }
        byte[] content = File.ReadAllBytes(good);
        string path = Path.Combine(_directory, "cut.key");

        // Cutting only the final newline still leaves a complete file; every shorter cut must be refused.
        for (int length = 0; length < content.Length - 1; length++)
        {
            WritePrivate(path, content[..length]);
            Assert.Throws<KeyFileException>(() => NodeIdentity.Load(path), $"cut to {length} of {content.Length} bytes");
        }
    }

    [Test]
    public void Load_AddressLineEdited_Refused()
    {
        string path = Path.Combine(_directory, "node.key");
        using (NodeIdentity identity = NodeIdentity.Generate())
        {
            identity.Save(path);
        }
        string text = File.ReadAllText(path);
        string other = NodeIdentity.Generate().Address.ToString();
        int at = text.IndexOf("address: ", StringComparison.Ordinal);
        WritePrivate(path, Encoding.UTF8.GetBytes(text[..at] + "address: " + other + "\n"));

        KeyFileException e = Assert.Throws<KeyFileException>(() => NodeIdentity.Load(path))!;
        Assert.That(e.Reason, Does.Contain("does not match"));
    }

    [Test]
    public void Load_MissingFile_ThrowsKeyFileException() =>
        Assert.Throws<KeyFileException>(() => NodeIdentity.Load(Path.Combine(_directory, "absent.key")));

    private static void WritePrivate(string path, byte[] content)
    {
        File.WriteAllBytes(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
