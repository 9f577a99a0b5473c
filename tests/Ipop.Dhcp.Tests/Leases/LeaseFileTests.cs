using System.Net;
using Ipop.Dhcp.Leases;

namespace Ipop.Dhcp.Tests.Leases;

public sealed class LeaseFileTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("ipop-lease-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void TryLoad_AfterSave_ReturnsTheSameRecord()
    {
        string path = Path.Combine(_folder, LeaseFile.DefaultFileName);
        LeaseRecord record = new("demo", IPAddress.Parse("100.64.3.7"), new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

        LeaseFile.Save(path, record);
        bool loaded = LeaseFile.TryLoad(path, out LeaseRecord? back, out string? problem);

        Assert.That(loaded, Is.True, problem);
        Assert.That(back, Is.EqualTo(record));
        Assert.That(File.Exists(path + ".tmp"), Is.False);
    }

    [Test]
    public void TryLoad_Missing_FalseWithReason()
    {
        Assert.That(LeaseFile.TryLoad(Path.Combine(_folder, "none"), out LeaseRecord? record, out string? problem), Is.False);
        Assert.That(record, Is.Null);
        Assert.That(problem, Is.Not.Empty);
    }

    [TestCase("namespace=demo\naddress=100.64.3.999\nexpires=2030-01-02T03:04:05Z\n")]
    [TestCase("namespace=demo\naddress=100.64.3.9\nexpires=tomorrow\n")]
    [TestCase("namespace=demo\naddress=100.64.3.9\n")]
    [TestCase("garbage")]
    [TestCase("")]
    public void TryLoad_Damaged_FalseWithReason(string text)
    {
        string path = Path.Combine(_folder, "lease");
        File.WriteAllText(path, text);

        Assert.That(LeaseFile.TryLoad(path, out LeaseRecord? record, out string? problem), Is.False);
        Assert.That(record, Is.Null);
        Assert.That(problem, Is.Not.Empty);
    }

    [Test]
    public void IsUsableFor_OtherNamespaceOrRange_False()
    {
        AddressPool pool = new(IPAddress.Parse("100.64.0.0"), IPAddress.Parse("255.255.0.0"), [], new Random(1));
        LeaseRecord record = new("demo", IPAddress.Parse("100.64.3.7"), DateTimeOffset.UnixEpoch);

        Assert.That(record.IsUsableFor("demo", pool), Is.True);
        Assert.That(record.IsUsableFor("other", pool), Is.False);
        Assert.That((record with { Address = IPAddress.Parse("10.0.0.7") }).IsUsableFor("demo", pool), Is.False);
    }
}
