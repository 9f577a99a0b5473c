using System.Net;
using Ipop.Dht.Dns;

namespace Ipop.Dht.Tests.Dns;

public sealed class DnsResponderTests
{
    private const string DigQuery = "123401200001000000000001" + "05616c6963650469706f700000010001"
        + "00002904d000000000000c000a00080102030405060708";

    private static readonly Dictionary<string, IPAddress> s_hosts = new()
    {
        ["alice"] = IPAddress.Parse("10.0.0.7"),
    };

    [Test]
    public async Task AnswerAsync_KnownHost_AnswersA()
    {
        var resolver = new FakeResolver();
        (int length, byte[] response) = await Answer(resolver, DigQuery);
        // ID, QR|AA|RD, 1 question, 1 answer, 0, 1 additional; the question; A 10.0.0.7 TTL 60 at 0xC00C; our OPT.
        string expected = "123485000001000100000001" + "05616c6963650469706f700000010001"
            + "c00c000100010000003c00040a000007" + "00002904d0000000000000";
        Assert.That(Convert.ToHexStringLower(response.AsSpan(0, length)), Is.EqualTo(expected));
        Assert.That(resolver.Asked, Is.EqualTo(new[] { "alice" }));
    }

    [Test]
    public async Task AnswerAsync_UnknownHost_NxDomain()
    {
        (int length, byte[] response) = await Answer(new FakeResolver(), "abcd01000001000000000000" + "03626f620469706f700000010001");
        DnsHeader header = DnsHeader.Read(response);
        Assert.That(header.ResponseCode, Is.EqualTo(DnsResponseCode.NameError));
        Assert.That((header.Id, header.IsResponse, header.AnswerCount, header.QuestionCount), Is.EqualTo(((ushort)0xabcd, true, (ushort)0, (ushort)1)));
        Assert.That(length, Is.EqualTo(12 + 14));
    }

    [Test]
    public async Task AnswerAsync_MixedCaseName_LooksUpLowerCaseAndEchoesTheQuestion()
    {
        var resolver = new FakeResolver();
        string query = "000501000001000000000000" + "05414c6943450449504f500000010001";   // ALiCE.IPOP
        (int length, byte[] response) = await Answer(resolver, query);
        Assert.That(DnsHeader.Read(response).AnswerCount, Is.EqualTo(1));
        Assert.That(resolver.Asked, Is.EqualTo(new[] { "alice" }));
        Assert.That(Convert.ToHexStringLower(response.AsSpan(12, 16)), Is.EqualTo("05414c6943450449504f500000010001"));
        Assert.That(length, Is.EqualTo(12 + 16 + 16));
    }

    [Test]
    public async Task AnswerAsync_Aaaa_EmptyNoErrorWithoutLookup()
    {
        var resolver = new FakeResolver();
        (_, byte[] response) = await Answer(resolver, "000101000001000000000000" + "05616c6963650469706f7000001c0001");
        DnsHeader header = DnsHeader.Read(response);
        Assert.That((header.ResponseCode, header.AnswerCount), Is.EqualTo((DnsResponseCode.NoError, (ushort)0)));
        Assert.That(resolver.Asked, Is.Empty);
    }

    [TestCase("000101000001000000000000" + "076578616d706c6503636f6d0000010001", DnsResponseCode.Refused, Description = "example.com")]
    [TestCase("000101000001000000000000" + "0569706f70", DnsResponseCode.FormatError, Description = "malformed")]
    [TestCase("000101000001000000000000" + "01610162" + "0469706f700000010001", DnsResponseCode.NameError, Description = "a.b.ipop")]
    [TestCase("000101000001000000000000" + "0469706f700000010001", DnsResponseCode.NameError, Description = "ipop itself")]
    [TestCase("000101000001000000000000" + "052d616263640469706f700000010001", DnsResponseCode.NameError, Description = "-abcd.ipop")]
    [TestCase("000101000001000000000000" + "05616c6963650469706f700000010003", DnsResponseCode.Refused, Description = "class CH")]
    [TestCase("000129000001000000000000" + "05616c6963650469706f700000010001", DnsResponseCode.NotImplemented, Description = "opcode UPDATE")]
    public async Task AnswerAsync_OtherQueries_AnswerWithCode(string hex, DnsResponseCode code)
    {
        var resolver = new FakeResolver();
        (int length, byte[] response) = await Answer(resolver, hex);
        Assert.That(length, Is.GreaterThanOrEqualTo(DnsHeader.Size));
        DnsHeader header = DnsHeader.Read(response);
        Assert.That((header.Id, header.IsResponse, header.ResponseCode), Is.EqualTo(((ushort)1, true, code)));
        Assert.That(resolver.Asked, Is.Empty);
    }

    [Test]
    public async Task AnswerAsync_ResolverFails_ServFail()
    {
        var resolver = new FakeResolver { Failure = new InvalidOperationException("no route") };
        (_, byte[] response) = await Answer(resolver, DigQuery);
        Assert.That(DnsHeader.Read(response).ResponseCode, Is.EqualTo(DnsResponseCode.ServerFailure));
    }

    [Test]
    public async Task AnswerAsync_ResolverTooSlow_ServFail()
    {
        var responder = new DnsResponder(new FakeResolver { Hang = true }) { ResolveTimeout = TimeSpan.FromMilliseconds(50) };
        byte[] response = new byte[512];
        int length = await responder.AnswerAsync(Convert.FromHexString(DigQuery), response);
        Assert.That(length, Is.GreaterThan(0));
        Assert.That(DnsHeader.Read(response).ResponseCode, Is.EqualTo(DnsResponseCode.ServerFailure));
    }

    [TestCase("1234012000010000", Description = "shorter than a header")]
    [TestCase("123481800001000000000000" + "05616c6963650469706f700000010001", Description = "a response")]
    public async Task AnswerAsync_NotAQuery_SendsNothing(string hex) =>
        Assert.That((await Answer(new FakeResolver(), hex)).Length, Is.Zero);

    [Test]
    public async Task AnswerAsync_RandomInput_NeverThrows()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var responder = new DnsResponder(new FakeResolver());
        byte[] response = new byte[512];
        byte[] sample = Convert.FromHexString(DigQuery);
        for (int i = 0; i < 2000; i++)
        {
            byte[] input = (byte[])sample.Clone();
            input[random.Next(input.Length)] = (byte)random.Next(256);
            input = input[..random.Next(input.Length + 1)];
            int length = await responder.AnswerAsync(input, response);
            Assert.That(length, Is.InRange(0, 512), $"seed {seed}, case {i}");
        }
    }

    private static async Task<(int Length, byte[] Response)> Answer(FakeResolver resolver, string hex)
    {
        var responder = new DnsResponder(resolver);
        byte[] response = new byte[512];
        int length = await responder.AnswerAsync(Convert.FromHexString(hex), response);
        return (length, response);
    }

    private sealed class FakeResolver : IHostResolver
    {
        public List<string> Asked { get; } = [];

        public Exception? Failure { get; init; }

        public bool Hang { get; init; }

        public async Task<IPAddress?> ResolveAsync(string hostName, CancellationToken ct)
        {
            Asked.Add(hostName);
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            if (Failure is not null)
            {
                throw Failure;
            }
            return s_hosts.GetValueOrDefault(hostName);
        }
    }
}
