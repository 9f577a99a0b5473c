using System.Buffers;
using Brunet.Dht;
using Brunet.Messaging;

namespace Brunet.Tests.Dht;

public sealed class DhtWireTests
{
    private static readonly DhtOptions s_options = new();

    private static DhtRecord Sample(byte value = 5) =>
        DhtRecord.Create(new Ed25519TestSigner(new Random(value)), DhtRecordKind.Create, "dhcp:demo:100.64.0.7"u8.ToArray(), [value, 1, 2], 1_900_000_000_000, 42);

    private static IEnumerable<(string Name, byte[] Bytes, Action<byte[]> Read)> Messages()
    {
        DhtRecord record = Sample();
        yield return ("record", record.ToBytes(), b => DhtRecord.Read(b, s_options.MaxKeyBytes, s_options.MaxValueBytes));
        yield return ("store request", DhtWire.WriteStoreRequest(true, [record, Sample(6)]), b => DhtWire.ReadStoreRequest(b, s_options, out _));
        var reply = new ArrayBufferWriter<byte>();
        DhtWire.WriteStoreReply(new WireWriter(reply), [(DhtStoreStatus.Stored, null), (DhtStoreStatus.Conflict, record), (DhtStoreStatus.Conflict, null)]);
        yield return ("store reply", reply.WrittenSpan.ToArray(), b => DhtWire.ReadStoreReply(b, s_options));
        yield return ("query", DhtWire.WriteQueryRequest("k"u8), b => DhtWire.ReadQueryRequest(b, s_options));
        var query = new ArrayBufferWriter<byte>();
        DhtWire.WriteQueryReply(new WireWriter(query), [record, Sample(7)]);
        yield return ("query reply", query.WrittenSpan.ToArray(), b => DhtWire.ReadQueryReply(b, s_options));
    }

    [Test]
    public void Read_RoundTrip_KeepsEveryFieldAndSignature()
    {
        DhtRecord record = Sample();
        DhtRecord read = DhtRecord.Read(record.ToBytes(), s_options.MaxKeyBytes, s_options.MaxValueBytes);
        Assert.Multiple(() =>
        {
            Assert.That(read.IsIdentical(record), Is.True);
            Assert.That(read.Writer, Is.EqualTo(record.Writer));
            Assert.That(read.EncodedSize, Is.EqualTo(record.ToBytes().Length));
            Assert.That(read.Verify(Ed25519Verifier.Instance), Is.True);
        });
        List<DhtRecord> batch = DhtWire.ReadStoreRequest(DhtWire.WriteStoreRequest(true, [record]), s_options, out bool replicate);
        Assert.That(replicate, Is.True);
        Assert.That(batch.Single().IsIdentical(record), Is.True);
        var reply = new ArrayBufferWriter<byte>();
        DhtWire.WriteStoreReply(new WireWriter(reply), [(DhtStoreStatus.Conflict, record), (DhtStoreStatus.Stale, null)]);
        var answers = DhtWire.ReadStoreReply(reply.WrittenSpan, s_options);
        Assert.That(answers[0].Conflict!.IsIdentical(record), Is.True);
        Assert.That(answers[1].Status, Is.EqualTo(DhtStoreStatus.Stale));
    }

    [Test]
    public void Read_TruncatedAtEveryOffset_ThrowsOnlyWireFormatException()
    {
        foreach ((string name, byte[] bytes, Action<byte[]> read) in Messages())
        {
            Assert.DoesNotThrow(() => read(bytes), name);
            for (int length = 0; length < bytes.Length; length++)
            {
                byte[] cut = bytes[..length];
                Assert.Throws<WireFormatException>(() => read(cut), $"{name} cut at {length}");
            }
            Assert.Throws<WireFormatException>(() => read([.. bytes, 0]), $"{name} with a trailing byte");
        }
    }

    [Test]
    public void Read_RandomJunkAndBitFlips_NeverThrowsAnythingElse()
    {
        var random = new Random(99);
        int refused = 0;
        foreach ((string name, byte[] bytes, Action<byte[]> read) in Messages())
        {
            for (int i = 0; i < 2000; i++)
            {
                byte[] junk;
                if (i % 2 == 0)
                {
                    junk = new byte[random.Next(0, 400)];
                    random.NextBytes(junk);
                }
                else
                {
                    junk = (byte[])bytes.Clone();
                    junk[random.Next(junk.Length)] ^= (byte)(1 << random.Next(8));
                }
                try
                {
                    read(junk);
                }
                catch (WireFormatException)
                {
                    refused++;   // the one allowed failure; anything else fails the test
                }
            }
        }
        Assert.That(refused, Is.GreaterThan(5000), "most junk is refused");
    }

    [Test]
    public void Read_OverLimits_Refused()
    {
        byte[] bigKey = new byte[s_options.MaxKeyBytes + 1];
        Assert.Throws<WireFormatException>(() => DhtWire.ReadQueryRequest(DhtWire.WriteQueryRequest(bigKey), s_options));
        Assert.Throws<WireFormatException>(() => DhtWire.ReadQueryRequest(DhtWire.WriteQueryRequest([]), s_options));
        DhtRecord big = DhtRecord.Create(new Ed25519TestSigner(new Random(1)), DhtRecordKind.Put, [1], new byte[s_options.MaxValueBytes + 1], 1, 1);
        Assert.Throws<WireFormatException>(() => DhtRecord.Read(big.ToBytes(), s_options.MaxKeyBytes, s_options.MaxValueBytes));
    }

    [Test]
    public void Verify_SignatureChecksAgainstRfc8032Vector_Pass()
    {
        // RFC 8032 §7.1, TEST 2: public key, message 0x72 and its signature.
        byte[] publicKey = Convert.FromHexString("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        byte[] signature = Convert.FromHexString(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
        Assert.That(Ed25519Verifier.Instance.Verify(publicKey, [0x72], signature), Is.True);
        Assert.That(Ed25519Verifier.Instance.Verify(publicKey, [0x73], signature), Is.False);
        Assert.That(Ed25519Verifier.Instance.Verify(new byte[32], [0x72], signature), Is.False);
        Assert.That(Ed25519Verifier.Instance.Verify(publicKey, [0x72], signature.AsSpan(0, 63)), Is.False);
    }
}
