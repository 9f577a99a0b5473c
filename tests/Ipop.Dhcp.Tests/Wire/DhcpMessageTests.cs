using System.Net;
using Ipop.Dhcp.Wire;

namespace Ipop.Dhcp.Tests.Wire;

public sealed class DhcpMessageTests
{
    [TestCase(DhcpSamples.UdhcpcDiscover, Description = "busybox udhcpc DISCOVER")]
    [TestCase(DhcpSamples.DhclientRequest, Description = "ISC dhclient REQUEST")]
    [TestCase(DhcpSamples.HandAck, Description = "hand-written ACK with PAD, unknown and split options")]
    [TestCase(DhcpSamples.Minimal, Description = "header and END only")]
    public void Parse_Sample_WritesBackSameBytes(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);

        DhcpMessage message = DhcpMessage.Parse(bytes);

        Assert.That(message.GetEncodedLength(), Is.EqualTo(bytes.Length));
        Assert.That(Convert.ToHexString(message.ToArray()), Is.EqualTo(Convert.ToHexString(bytes)));
    }

    [Test]
    public void Parse_UdhcpcDiscover_ReadsFieldsAndOptions()
    {
        byte[] bytes = Convert.FromHexString(DhcpSamples.UdhcpcDiscover);
        Assert.That(bytes, Has.Length.EqualTo(300), "the sample is padded to 300 bytes");

        DhcpMessage message = DhcpMessage.Parse(bytes);

        Assert.That(message.Op, Is.EqualTo(BootpOpcode.BootRequest));
        Assert.That(message.TransactionId, Is.EqualTo(0x3903f326u));
        Assert.That(message.IsBroadcast, Is.False);
        Assert.That(message.ClientMac?.ToString(), Is.EqualTo("525400123456"));
        Assert.That(message.MessageType, Is.EqualTo(DhcpMessageType.Discover));
        Assert.That(message.MaxMessageSize, Is.EqualTo((ushort)576));
        Assert.That(message.ParameterRequestList?.ToArray(), Is.EqualTo(new byte[] { 1, 3, 6, 12, 15, 28, 42 }));
        Assert.That(message.GetOption(60)?.ToArray(), Is.EqualTo("udhcp 1.36.1"u8.ToArray()));
        Assert.That(message.ClientIdentifier?.ToArray(), Is.EqualTo(new byte[] { 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56 }));
        Assert.That(message.RequestedIPAddress, Is.Null);
        Assert.That(message.Trailer.Length, Is.EqualTo(20));
    }

    [Test]
    public void Parse_DhclientRequest_ReadsSelectingFields()
    {
        DhcpMessage message = DhcpMessage.Parse(Convert.FromHexString(DhcpSamples.DhclientRequest));

        Assert.That(message.MessageType, Is.EqualTo(DhcpMessageType.Request));
        Assert.That(message.Seconds, Is.EqualTo((ushort)3));
        Assert.That(message.ServerIdentifier, Is.EqualTo(IPAddress.Parse("100.64.0.1")));
        Assert.That(message.RequestedIPAddress, Is.EqualTo(IPAddress.Parse("100.64.10.7")));
        Assert.That(message.HostName, Is.EqualTo("host1"));
        Assert.That(message.ClientAddress, Is.EqualTo(IPAddress.Any));
        Assert.That(message.ParameterRequestList?.Length, Is.EqualTo(13));
    }

    [Test]
    public void Parse_HandAck_ReadsEveryTypedOption()
    {
        DhcpMessage message = DhcpMessage.Parse(Convert.FromHexString(DhcpSamples.HandAck));

        Assert.That(message.Op, Is.EqualTo(BootpOpcode.BootReply));
        Assert.That(message.Hops, Is.EqualTo(1));
        Assert.That(message.Seconds, Is.EqualTo((ushort)16));
        Assert.That(message.IsBroadcast, Is.True);
        Assert.That(message.ClientAddress, Is.EqualTo(IPAddress.Parse("100.64.10.7")));
        Assert.That(message.YourAddress, Is.EqualTo(IPAddress.Parse("100.64.10.8")));
        Assert.That(message.ServerAddress, Is.EqualTo(IPAddress.Parse("100.64.0.1")));
        Assert.That(message.RelayAddress, Is.EqualTo(IPAddress.Parse("192.168.0.1")));
        Assert.That(message.MessageType, Is.EqualTo(DhcpMessageType.Ack));
        Assert.That(message.LeaseTime, Is.EqualTo(3600u));
        Assert.That(message.RenewalTime, Is.EqualTo(1800u));
        Assert.That(message.RebindingTime, Is.EqualTo(3150u));
        Assert.That(message.SubnetMask, Is.EqualTo(IPAddress.Parse("255.255.0.0")));
        Assert.That(message.Routers, Is.EqualTo(new[] { IPAddress.Parse("100.64.0.1"), IPAddress.Parse("100.64.0.2") }));
        Assert.That(message.DnsServers, Is.EqualTo(new[] { IPAddress.Parse("100.64.0.1") }));
        Assert.That(message.DomainName, Is.EqualTo("ipop"));
        Assert.That(message.InterfaceMtu, Is.EqualTo((ushort)1200));
        Assert.That(message.GetOption(224)?.ToArray(), Is.EqualTo(new byte[] { 0xaa, 0xbb, 0xcc }), "unknown option kept");
        Assert.That(message.HostName, Is.EqualTo("host1"), "RFC 3396: split option joined, trailing NUL dropped");
        Assert.That(message.Options.Count(o => o.Code == DhcpOptionCode.Pad), Is.EqualTo(2));
        Assert.That(message.Trailer.IsEmpty, Is.True);
    }

    [TestCase(DhcpSamples.UdhcpcDiscover)]
    [TestCase(DhcpSamples.DhclientRequest)]
    [TestCase(DhcpSamples.HandAck)]
    [TestCase(DhcpSamples.Minimal)]
    public void Parse_EveryTruncation_ThrowsFormatExceptionBeforeEndAndParsesAfter(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        int afterEnd = bytes.Length - DhcpMessage.Parse(bytes).Trailer.Length;

        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] prefix = bytes[..length];
            if (length < afterEnd)
            {
                Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(prefix), $"length {length}");
            }
            else
            {
                Assert.That(DhcpMessage.Parse(prefix).ToArray(), Is.EqualTo(prefix), $"length {length}: a shorter trailer");
            }
        }
    }

    [TestCase("00")]
    [TestCase("01")]
    [TestCase("0101")]
    [TestCase("63825363")]
    [TestCase("ffffffffffffffff")]
    public void Parse_JunkPrefix_ThrowsFormatException(string junk)
    {
        foreach (string sample in new[] { DhcpSamples.UdhcpcDiscover, DhcpSamples.DhclientRequest, DhcpSamples.HandAck })
        {
            byte[] bytes = Convert.FromHexString(junk + sample);
            Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(bytes), junk);
        }
    }

    [TestCase("00")]
    [TestCase("deadbeef")]
    [TestCase("ff350102")]
    public void Parse_JunkAfterEnd_KeptInTrailerAndIgnored(string junk)
    {
        byte[] bytes = Convert.FromHexString(DhcpSamples.HandAck + junk);

        DhcpMessage message = DhcpMessage.Parse(bytes);

        Assert.That(Convert.ToHexString(message.Trailer.Span), Is.EqualTo(junk.ToUpperInvariant()));
        Assert.That(message.MessageType, Is.EqualTo(DhcpMessageType.Ack), "bytes after END are not options");
        Assert.That(message.ToArray(), Is.EqualTo(bytes));
    }

    [TestCase("00", Description = "PAD then nothing: no END")]
    [TestCase("3501", Description = "length byte runs past the end")]
    [TestCase("35", Description = "no length byte")]
    [TestCase("350201ff", Description = "length past the end")]
    [TestCase("350109ff", Description = "message type 9")]
    [TestCase("35020101ff", Description = "message type of 2 bytes")]
    [TestCase("3203644000ff", Description = "requested IP of 3 bytes")]
    [TestCase("0305644000010aff", Description = "router list not a multiple of 4")]
    [TestCase("1a020040ff", Description = "MTU 64 < 68")]
    [TestCase("39020100ff", Description = "max message size 256 < 576")]
    [TestCase("0c00ff", Description = "empty host name")]
    [TestCase("3d0101ff", Description = "client id of 1 byte")]
    [TestCase("340103ff", Description = "option overload")]
    public void Parse_BadOptions_ThrowsFormatException(string options)
    {
        byte[] bytes = Convert.FromHexString(DhcpSamples.Minimal[..^2] + options);

        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(bytes));
    }

    [Test]
    public void Parse_BadCookie_ThrowsFormatException()
    {
        byte[] bytes = Convert.FromHexString(DhcpSamples.Minimal);
        bytes[239] = 0x64;

        DhcpFormatException error = Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(bytes))!;
        Assert.That(error.Message, Does.Contain("cookie"));
    }

    [TestCase(0, 0x00)]
    [TestCase(0, 0x03)]
    [TestCase(2, 17)]
    public void Parse_BadFixedField_ThrowsFormatException(int offset, byte value)
    {
        byte[] bytes = Convert.FromHexString(DhcpSamples.Minimal);
        bytes[offset] = value;

        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(bytes));
    }

    [Test]
    public void Parse_TooLong_ThrowsFormatException()
    {
        byte[] bytes = new byte[DhcpMessage.MaxSize + 1];
        Convert.FromHexString(DhcpSamples.Minimal).CopyTo(bytes, 0);

        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(bytes));
    }

    [Test]
    public void Parse_RandomMutations_ThrowOnlyFormatExceptionAndRoundTrip()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        string[] samples = [DhcpSamples.UdhcpcDiscover, DhcpSamples.DhclientRequest, DhcpSamples.HandAck, DhcpSamples.Minimal];
        int parsed = 0;
        for (int i = 0; i < 5000; i++)
        {
            byte[] bytes = Mutate(Convert.FromHexString(samples[i % samples.Length]), random);
            try
            {
                DhcpMessage message = DhcpMessage.Parse(bytes);
                Assert.That(message.ToArray(), Is.EqualTo(bytes), $"seed {seed}, case {i}: round trip");
                _ = (message.MessageType, message.Routers, message.HostName, message.ClientMac, message.LeaseTime, message.InterfaceMtu);
                parsed++;
            }
            catch (DhcpFormatException)
            {
                // refused cleanly: the only exception allowed
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"seed {seed}, case {i}: {e.GetType().Name}: {e.Message} on {Convert.ToHexString(bytes)}");
            }
        }
        Assert.That(parsed, Is.GreaterThan(100), $"seed {seed}: mutations should not all be refused");
    }

    [Test]
    public void PadToBootpMinimum_ShortMessage_PadsTo300()
    {
        DhcpMessage message = DhcpMessage.Parse(Convert.FromHexString(DhcpSamples.Minimal));

        byte[] padded = message.PadToBootpMinimum().ToArray();

        Assert.That(padded, Has.Length.EqualTo(DhcpMessage.BootpMinimumSize));
        Assert.That(padded[(DhcpSamples.Minimal.Length / 2)..], Is.All.Zero);
    }

    [Test]
    public void WriteTo_BuiltMessage_ParsesBackEqual()
    {
        DhcpMessage message = new DhcpMessage
        {
            Op = BootpOpcode.BootReply,
            TransactionId = 0xdeadbeef,
            Flags = DhcpMessage.BroadcastFlag,
            YourAddress = IPAddress.Parse("100.64.3.4"),
            ClientHardwareAddress = new byte[] { 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            Options =
            [
                DhcpOption.FromMessageType(DhcpMessageType.Offer),
                DhcpOption.FromAddress(DhcpOptionCode.ServerIdentifier, IPAddress.Parse("100.64.0.1")),
                DhcpOption.FromUInt32(DhcpOptionCode.LeaseTime, 600),
                DhcpOption.FromUInt16(DhcpOptionCode.InterfaceMtu, 1200),
                DhcpOption.FromAscii(DhcpOptionCode.DomainName, "ipop"),
            ],
        }.PadToBootpMinimum();

        DhcpMessage parsed = DhcpMessage.Parse(message.ToArray());

        Assert.That(parsed.MessageType, Is.EqualTo(DhcpMessageType.Offer));
        Assert.That(parsed.YourAddress, Is.EqualTo(IPAddress.Parse("100.64.3.4")));
        Assert.That(parsed.ServerIdentifier, Is.EqualTo(IPAddress.Parse("100.64.0.1")));
        Assert.That(parsed.LeaseTime, Is.EqualTo(600u));
        Assert.That(parsed.InterfaceMtu, Is.EqualTo((ushort)1200));
        Assert.That(parsed.DomainName, Is.EqualTo("ipop"));
        Assert.That(parsed.ClientMac?.ToString(), Is.EqualTo("020000000001"));
        Assert.That(parsed.ToArray(), Is.EqualTo(message.ToArray()));
    }

    [Test]
    public void WriteTo_ShortDestination_ThrowsArgumentException()
    {
        DhcpMessage message = DhcpMessage.Parse(Convert.FromHexString(DhcpSamples.Minimal));

        Assert.Throws<ArgumentException>(() => message.WriteTo(new byte[DhcpMessage.MinimumSize - 1]));
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        List<byte> list = [.. bytes];
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            // Mostly edit the options, where the lengths are.
            int position = list.Count > DhcpMessage.HeaderSize && random.Next(4) != 0
                ? DhcpMessage.HeaderSize + random.Next(list.Count - DhcpMessage.HeaderSize)
                : random.Next(Math.Max(1, list.Count));
            switch (random.Next(4))
            {
                case 0 when list.Count > 0:
                    list[Math.Min(position, list.Count - 1)] = (byte)random.Next(256);
                    break;
                case 1:
                    list.Insert(Math.Min(position, list.Count), (byte)random.Next(256));
                    break;
                case 2 when list.Count > 0:
                    list.RemoveAt(Math.Min(position, list.Count - 1));
                    break;
                default:
                    list.RemoveRange(Math.Min(position, list.Count), list.Count - Math.Min(position, list.Count));
                    break;
            }
        }
        return list.ToArray();
    }
}
