using Ipop.Dht.PacketPath;

namespace Ipop.Dht.Tests.PacketPath;

public sealed class ChecksumTests
{
    [Test]
    public void Compute_Rfc1071Example_MatchesWorkedSum()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum (one's complement) to ddf2; the checksum is its complement.
        byte[] data = Convert.FromHexString("0001f203f4f5f6f7");

        Assert.That(InternetChecksum.Finish(InternetChecksum.Add(0, data)), Is.EqualTo((ushort)(0xffff - 0xddf2)));
        Assert.That(InternetChecksum.Compute(data), Is.EqualTo((ushort)0x220d));
    }

    [TestCase(0)]
    [TestCase(63)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(79)]
    [TestCase(80)]
    [TestCase(1214)]
    [TestCase(1500)]
    [TestCase(65_535)]
    public void Add_LongData_MatchesWordByWordSum(int length)
    {
        var random = new Random(length);
        byte[] data = new byte[length];
        random.NextBytes(data);
        uint start = (uint)random.Next(0, 0x1_0000);

        // RFC 1071 as written: 16-bit big-endian words, end-around carry after each addition.
        uint expected = start;
        for (int i = 0; i < length; i += 2)
        {
            expected += (uint)(data[i] << 8) | (i + 1 < length ? data[i + 1] : 0u);
            expected = (expected & 0xffff) + (expected >> 16);
        }

        Assert.That(InternetChecksum.Finish(InternetChecksum.Add(start, data)), Is.EqualTo(InternetChecksum.Finish(expected)));
    }

    [Test]
    public void Add_AllOnesData_SameAsScalarFolding()
    {
        byte[] data = new byte[128];
        Array.Fill(data, (byte)0xff);

        Assert.That(InternetChecksum.Compute(data), Is.EqualTo(InternetChecksum.Compute(data.AsSpan(0, 62))));
    }

    [Test]
    public void Compute_OddLength_PadsWithZero()
    {
        Assert.That(InternetChecksum.Compute([0x01, 0x02, 0x03]), Is.EqualTo(InternetChecksum.Compute([0x01, 0x02, 0x03, 0x00])));
    }

    [Test]
    public void Ipv4Header_KnownHeader_ChecksumB861()
    {
        // The widely used worked example (e.g. Wikipedia "IPv4 header checksum"): 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF.
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");

        Assert.That(InternetChecksum.Compute(header), Is.EqualTo((ushort)0xb861));
        Assert.That(Ipv4Header.VerifyChecksum(Convert.FromHexString("450000730000400040110000c0a80001c0a800c7" + new string('0', 2 * (0x73 - 20)))), Is.False);
        Assert.That(Ipv4Header.VerifyChecksum(Convert.FromHexString("45000073000040004011b861c0a80001c0a800c7" + new string('0', 2 * (0x73 - 20)))), Is.True);
    }

    [Test]
    public void Ipv4Header_WriteWithChecksum_WritesB861AndReadsBack()
    {
        Ipv4Header header = new(0, 0x73, 0, Ipv4Header.DontFragment, 64, Ipv4Header.ProtocolUdp, 0, 0xc0a80001, 0xc0a800c7);
        byte[] bytes = new byte[0x73];

        header.WriteWithChecksum(bytes);

        Assert.That(Convert.ToHexString(bytes, 0, 20), Is.EqualTo("45000073000040004011B861C0A80001C0A800C7"));
        Assert.That(Ipv4Header.VerifyChecksum(bytes), Is.True);
        Assert.That(Ipv4Header.TryRead(bytes, out Ipv4Header read), Is.True);
        Assert.That(read, Is.EqualTo(header with { Checksum = 0xb861 }));
    }

    [Test]
    public void UdpHeader_ComputeChecksum_MatchesIndependentComputation()
    {
        // 100.64.0.1:67 -> 255.255.255.255:68, payload "hello"; checksum 0x573a computed separately (a plain
        // RFC 768 pseudo-header sum in Python) when this test was written.
        byte[] datagram = Convert.FromHexString("00430044000d000068656c6c6f");

        ushort checksum = UdpHeader.ComputeChecksum(0x64400001, 0xffffffff, datagram);

        Assert.That(checksum, Is.EqualTo((ushort)0x573a));
        datagram[6] = 0x57;
        datagram[7] = 0x3a;
        Assert.That(UdpHeader.VerifyChecksum(0x64400001, 0xffffffff, datagram), Is.True);
        Assert.That(UdpHeader.VerifyChecksum(0x64400002, 0xffffffff, datagram), Is.False, "another source address");
        datagram[12] ^= 1;
        Assert.That(UdpHeader.VerifyChecksum(0x64400001, 0xffffffff, datagram), Is.False, "a flipped payload bit");
    }

    [Test]
    public void UdpHeader_ZeroChecksum_MeansNoneAndPasses()
    {
        byte[] datagram = Convert.FromHexString("00430044000d000068656c6c6f");

        Assert.That(UdpHeader.VerifyChecksum(1, 2, datagram), Is.True);
    }
}
