using Brunet.Messaging;
using Ipop.Dht.Dns;

namespace Ipop.Dht.Tests.Dns;

public sealed class DnsCodecTests
{
    // RFC 1035 §4.1 layout. dig's query for alice.ipop: ID 0x1234, flags RD|AD (0x0120), one question, one additional
    // record: an OPT (RFC 6891) announcing 1232 bytes with an 8-byte COOKIE option (RFC 7873, code 10).
    private const string DigQuery = "123401200001000000000001" + "05616c6963650469706f700000010001"
        + "00002904d000000000000c000a00080102030405060708";

    [TestCase(DigQuery, "alice.ipop", DnsRecordType.A, true, 1232, Description = "dig alice.ipop with EDNS and a cookie")]
    [TestCase("abcd01000001000000000000" + "05616c6963650469706f700000010001", "alice.ipop", DnsRecordType.A, false, 0,
        Description = "nslookup-style, no EDNS")]
    [TestCase("000101000001000000000000" + "03626f620469706f7000001c0001", "bob.ipop", DnsRecordType.Aaaa, false, 0,
        Description = "AAAA for bob.ipop")]
    [TestCase("0002010000010000000000010000010001" + "0000291000000000000000", ".", DnsRecordType.A, true, 4096,
        Description = "the root name, EDNS without options")]
    public void Read_Sample_ParsesQuestionAndEdns(string hex, string name, DnsRecordType type, bool edns, int udpSize)
    {
        DnsQuery query = DnsQuery.Read(Convert.FromHexString(hex));
        Assert.Multiple(() =>
        {
            Assert.That(query.Question.Name.ToString(), Is.EqualTo(name));
            Assert.That(query.Question.Type, Is.EqualTo(type));
            Assert.That(query.Question.Class, Is.EqualTo(DnsQuestion.InternetClass));
            Assert.That(query.HasEdns, Is.EqualTo(edns));
            Assert.That(query.EdnsUdpPayloadSize, Is.EqualTo(udpSize));
            Assert.That(query.Header.IsResponse, Is.False);
            Assert.That(query.Header.RecursionDesired, Is.True.Or.False);
        });
    }

    [Test]
    public void Read_AnswerWithCompressedName_SkipsIt()
    {
        // A message with an answer whose owner is a pointer to the question name at offset 12 (0xC00C).
        string hex = "000100000001000100000000" + "05616c6963650469706f700000010001" + "c00c000100010000003c00040a000007";
        DnsQuery query = DnsQuery.Read(Convert.FromHexString(hex));
        Assert.That(query.Question.Name.ToString(), Is.EqualTo("alice.ipop"));
    }

    [TestCase("016100" + "0162c000", 3, "b.a", 7, Description = "b, then a pointer back to 'a'")]
    [TestCase("0161000362626200" + "c003", 8, "bbb", 10, Description = "a name that is only a pointer")]
    [TestCase("05616c696365" + "0469706f7000" + "c006", 12, "ipop", 14, Description = "a pointer into the middle of a name")]
    public void Read_CompressedName_FollowsPointers(string hex, int offset, string name, int end)
    {
        int position = offset;
        DnsName read = DnsName.Read(Convert.FromHexString(hex), ref position);
        Assert.That(read.ToString(), Is.EqualTo(name));
        Assert.That(position, Is.EqualTo(end), "continues after the first pointer");
    }

    [TestCase("c000", 0, Description = "a pointer to itself")]
    [TestCase("c0020161c000", 0, Description = "a forward pointer")]
    [TestCase("0161c000", 0, Description = "a label, then a pointer back to the label: a loop")]
    [TestCase("c0", 0, Description = "a pointer cut in half")]
    [TestCase("0561", 0, Description = "a label cut short")]
    [TestCase("0161", 0, Description = "no final zero")]
    [TestCase("4061", 0, Description = "label type 01 (extended)")]
    [TestCase("8061", 0, Description = "label type 10 (reserved)")]
    public void Read_BadName_ThrowsWireFormatException(string hex, int offset)
    {
        byte[] message = Convert.FromHexString(hex);
        Assert.That(() => DnsName.Read(message, ref offset), Throws.TypeOf<WireFormatException>());
    }

    [Test]
    public void Read_PointerChainLongerThanLimit_Refused()
    {
        // offset 0: the root; then 200 pointers, each to the one before: backwards, but too many to follow.
        byte[] message = new byte[1 + (2 * 200)];
        for (int i = 0; i < 200; i++)
        {
            int target = i == 0 ? 0 : 1 + (2 * (i - 1));
            message[1 + (2 * i)] = (byte)(0xC0 | (target >> 8));
            message[2 + (2 * i)] = (byte)target;
        }
        int offset = message.Length - 2;
        Assert.That(() => DnsName.Read(message, ref offset), Throws.TypeOf<WireFormatException>().With.Message.Contains("too many"));
        int shortChain = 1 + (2 * 100);
        Assert.That(DnsName.Read(message, ref shortChain).ToString(), Is.EqualTo("."));
    }

    [Test]
    public void Read_NameLongerThan255Bytes_Refused()
    {
        var hex = new System.Text.StringBuilder();
        for (int i = 0; i < 5; i++)
        {
            hex.Append("3f").Append(string.Concat(Enumerable.Repeat("61", 63)));
        }
        hex.Append("00");
        int offset = 0;
        Assert.That(() => DnsName.Read(Convert.FromHexString(hex.ToString()), ref offset),
            Throws.TypeOf<WireFormatException>().With.Message.Contains("255"));
    }

    [TestCase("123401200002000000000000" + "05616c6963650469706f700000010001" + "05616c6963650469706f700000010001",
        Description = "two questions")]
    [TestCase("123401200000000000000000", Description = "no question")]
    [TestCase(DigQuery + "00", Description = "a trailing byte")]
    [TestCase("123401200001000000000002" + "05616c6963650469706f700000010001" + "00002904d0000000000000" + "00002904d0000000000000",
        Description = "two OPT records")]
    [TestCase("123401200001000100000000" + "05616c6963650469706f700000010001" + "00002904d0000000000000",
        Description = "an OPT record in the answer section")]
    public void Read_MalformedQuery_ThrowsWireFormatException(string hex) =>
        Assert.That(() => DnsQuery.Read(Convert.FromHexString(hex)), Throws.TypeOf<WireFormatException>());

    [Test]
    public void Read_EveryTruncation_ThrowsWireFormatException()
    {
        byte[] sample = Convert.FromHexString(DigQuery);
        for (int length = 0; length < sample.Length; length++)
        {
            Assert.That(() => DnsQuery.Read(sample.AsSpan(0, length)), Throws.TypeOf<WireFormatException>(), $"{length} bytes");
        }
    }

    [Test]
    public void Read_RandomJunkAndMutations_ThrowOnlyWireFormatException()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        byte[] sample = Convert.FromHexString(DigQuery);
        for (int i = 0; i < 5000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 80)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])sample.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }
            try
            {
                DnsQuery.Read(input);
            }
            catch (WireFormatException)
            {
                // The only exception the codec may throw.
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, case {i}: {e.GetType().Name}: {e.Message} on {Convert.ToHexString(input)}");
            }
        }
    }

    [Test]
    public void WriteTo_Name_IsTheUncompressedWireForm()
    {
        DnsName name = DnsName.Parse("alice.ipop");
        byte[] buffer = new byte[name.WireLength];
        Assert.That(name.WriteTo(buffer), Is.EqualTo(12));
        Assert.That(Convert.ToHexStringLower(buffer), Is.EqualTo("05616c6963650469706f7000"));
        Assert.That(DnsName.Parse(".").WireLength, Is.EqualTo(1));
    }
}
