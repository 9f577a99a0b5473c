using System.Text;
using Brunet.Addressing;
using Brunet.Config;

namespace Brunet.Tests.Config;

public class FillNodeAddressTests
{
    private static readonly Address s_address = Address.FromHash("node key"u8);
    private static readonly string s_element = $"<NodeAddress>{s_address}</NodeAddress>";

    [Test]
    public void FillNodeAddress_ExampleWithoutElement_InsertsOneLineAfterNamespace()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("bootstrap.config");
        string original = File.ReadAllText(Path.Combine(RepositoryFiles.Configs, "bootstrap.config"));
        File.WriteAllText(path, original);
        const string Namespace = "  <BrunetNamespace>BrunetDemo</BrunetNamespace>\n";
        Assert.That(original, Does.Contain(Namespace));

        NodeConfigLoader.FillNodeAddress(path, s_address);

        string expected = original.Replace(Namespace, Namespace + "  " + s_element + "\n", StringComparison.Ordinal);
        Assert.That(File.ReadAllText(path), Is.EqualTo(expected));
        Assert.That(NodeConfigLoader.Load(path).NodeAddress, Is.EqualTo(s_address));
        Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }), "no temporary file is left behind");
    }

    [TestCase(
        "<NodeConfig>\r\n\t<!-- c1 -->\r\n\t<BrunetNamespace>Lab</BrunetNamespace>  <!-- the name -->\r\n\t<EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\r\n</NodeConfig>\r\n",
        "<NodeConfig>\r\n\t<!-- c1 -->\r\n\t<BrunetNamespace>Lab</BrunetNamespace>  <!-- the name -->\r\n\t{0}\r\n\t<EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\r\n</NodeConfig>\r\n",
        Description = "CRLF, tabs, a comment after the namespace")]
    [TestCase(
        "<NodeConfig><BrunetNamespace>Lab</BrunetNamespace><EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners></NodeConfig>",
        "<NodeConfig><BrunetNamespace>Lab</BrunetNamespace>{0}<EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners></NodeConfig>",
        Description = "one line")]
    [TestCase(
        "<NodeConfig>\n    <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n    <BrunetNamespace>\n      Lab\n    </BrunetNamespace>\n</NodeConfig>",
        "<NodeConfig>\n    <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n    <BrunetNamespace>\n      Lab\n    </BrunetNamespace>\n    {0}\n</NodeConfig>",
        Description = "namespace over several lines, last before the root's end")]
    [TestCase(
        "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <NodeAddress></NodeAddress>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  {0}\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        Description = "empty element")]
    [TestCase(
        "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <NodeAddress />  <!-- first run -->\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  {0}  <!-- first run -->\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        Description = "self-closing element")]
    [TestCase(
        "<NodeConfig>\n  <NodeAddress>\n  </NodeAddress>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        "<NodeConfig>\n  {0}\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        Description = "whitespace-only element before the namespace")]
    [TestCase(
        "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <NodeAddress><!-- filled in on first run --></NodeAddress>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <NodeAddress>{1}<!-- filled in on first run --></NodeAddress>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        Description = "element holding a comment")]
    [TestCase(
        "<?xml version=\"1.0\"?>\n<NodeConfig>\n  <Foo><NodeAddress/></Foo>\n  <BrunetNamespace a=\"x>y\">Lab</BrunetNamespace>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        "<?xml version=\"1.0\"?>\n<NodeConfig>\n  <Foo><NodeAddress/></Foo>\n  <BrunetNamespace a=\"x>y\">Lab</BrunetNamespace>\n  {0}\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n",
        Description = "a nested NodeAddress and a '>' in an attribute are not the element")]
    public void FillNodeAddress_Layout_ChangesOnlyTheAddress(string original, string expectedFormat)
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(original));

        NodeConfigLoader.FillNodeAddress(path, s_address);

        string expected = string.Format(System.Globalization.CultureInfo.InvariantCulture, expectedFormat, s_element, s_address);
        Assert.That(Encoding.UTF8.GetString(File.ReadAllBytes(path)), Is.EqualTo(expected));
        Assert.That(NodeConfigLoader.Load(path).NodeAddress, Is.EqualTo(s_address));
    }

    [Test]
    public void FillNodeAddress_SameValuePresent_LeavesFileUntouched()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        string original = $"<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <NodeAddress>  {s_address.ToString().ToLowerInvariant()}  </NodeAddress>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n</NodeConfig>\n";
        File.WriteAllText(path, original);
        DateTime written = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);

        NodeConfigLoader.FillNodeAddress(path, s_address);

        Assert.That(File.ReadAllText(path), Is.EqualTo(original));
        Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(written), "the file is not rewritten");
    }

    [Test]
    public void FillNodeAddress_DifferentValuePresent_RefusesAndLeavesFile()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        Address other = Address.FromHash("another key"u8);
        string original = $"<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n  <NodeAddress>{other}</NodeAddress>\n  <EdgeListeners><EdgeListener type=\"udp\"><port>1</port></EdgeListener></EdgeListeners>\n  <Security><KeyPath>my.key</KeyPath></Security>\n</NodeConfig>\n";
        File.WriteAllText(path, original);

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.FillNodeAddress(path, s_address));

        Assert.That(e.File, Is.EqualTo(path));
        Assert.That(e.Element, Is.EqualTo("NodeConfig/NodeAddress"));
        Assert.That(e.Reason, Does.Contain(other.ToString()).And.Contains(folder.File("my.key")).And.Contains("derived from the key"));
        Assert.That(File.ReadAllText(path), Is.EqualTo(original));
    }

    [Test]
    public void FillNodeAddress_InvalidConfig_RefusesAndLeavesFile()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        const string Original = "<NodeConfig>\n  <BrunetNamespace>Lab</BrunetNamespace>\n</NodeConfig>\n";
        File.WriteAllText(path, Original);

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.FillNodeAddress(path, s_address));

        Assert.That(e.Element, Is.EqualTo("NodeConfig/EdgeListeners"));
        Assert.That(File.ReadAllText(path), Is.EqualTo(Original));
    }

    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    public void FillNodeAddress_AnyMode_KeepsMode(UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only.");
            return;
        }
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        File.Copy(Path.Combine(RepositoryFiles.Configs, "node.config"), path);
        File.SetUnixFileMode(path, mode);

        NodeConfigLoader.FillNodeAddress(path, s_address);

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(mode));
        Assert.That(NodeConfigLoader.Load(path).NodeAddress, Is.EqualTo(s_address));
    }

    [Test]
    public void FillNodeAddress_Utf8Bom_KeepsBom()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");
        byte[] original = [.. Encoding.UTF8.Preamble, .. File.ReadAllBytes(Path.Combine(RepositoryFiles.Configs, "node.config"))];
        File.WriteAllBytes(path, original);

        NodeConfigLoader.FillNodeAddress(path, s_address);

        byte[] result = File.ReadAllBytes(path);
        Assert.That(result.AsSpan(0, 3).ToArray(), Is.EqualTo(Encoding.UTF8.Preamble.ToArray()));
        Assert.That(result, Has.Length.EqualTo(original.Length + Encoding.UTF8.GetByteCount("  " + s_element + "\n")));
    }

    [Test]
    public void FillNodeAddress_SymbolicLink_EditsTargetAndKeepsLink()
    {
        using TemporaryFolder folder = new();
        string target = folder.File("real.config");
        string link = folder.File("node.config");
        File.Copy(Path.Combine(RepositoryFiles.Configs, "node.config"), target);
        File.CreateSymbolicLink(link, target);

        NodeConfigLoader.FillNodeAddress(link, s_address);

        Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(target));
        Assert.That(NodeConfigLoader.Load(target).NodeAddress, Is.EqualTo(s_address));
    }

    [Test]
    public void FillNodeAddress_MissingFile_NamesFile()
    {
        using TemporaryFolder folder = new();
        string path = folder.File("node.config");

        ConfigException e = ConfigAssert.Fails(() => NodeConfigLoader.FillNodeAddress(path, s_address));

        Assert.That(e.Message, Is.EqualTo($"{path}: NodeConfig: file not found"));
    }
}
