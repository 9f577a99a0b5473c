using System.Security.Cryptography;
using Brunet.Security;

namespace Brunet.Tests.Security;

public sealed class SimulatedAeadTests
{
    private static readonly byte[] s_ad = "header"u8.ToArray();

    [Test]
    public void Seal_ThenOpen_SameKeyAndNonce_ReturnsThePlaintext()
    {
        (CipherState sender, CipherState receiver) = SimulatedPair();
        byte[] sealedText = Seal(sender, 7, "hello, ring"u8);

        Assert.That(Open(receiver, 7, sealedText), Is.EqualTo("hello, ring"u8.ToArray()));
        Assert.That(Open(receiver, 8, sealedText), Is.Null, "another nonce");
        Assert.That(Open(Keyed(RandomNumberGenerator.GetBytes(32), simulated: true), 7, sealedText), Is.Null, "another key");
    }

    [Test]
    public void Open_AnyFlippedBit_Fails()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using CipherState cipher = Keyed(key, simulated: true);
        byte[] sealedText = Seal(cipher, 1, "twelve bytes"u8);
        for (int bit = 0; bit < sealedText.Length * 8; bit++)
        {
            byte[] tampered = (byte[])sealedText.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.That(Open(cipher, 1, tampered), Is.Null, $"bit {bit}");
        }
        Assert.That(cipher.TryOpen(1, [], sealedText, new byte[64], out _), Is.False, "other associated data");
        Assert.That(cipher.TryOpen(1, s_ad, sealedText.AsSpan(0, 15), new byte[64], out _), Is.False, "shorter than a tag");
    }

    [Test]
    public void Digest_AnyFlippedBitOrMovedBoundary_GivesAnotherDigest()
    {
        byte[] first = RandomNumberGenerator.GetBytes(32);
        byte[] second = RandomNumberGenerator.GetBytes(20);
        byte[] digest = Digest(first, second);
        Assert.That(Digest(first, second), Is.EqualTo(digest), "not deterministic");
        var seen = new HashSet<string> { Convert.ToHexString(digest) };
        for (int bit = 0; bit < (first.Length + second.Length) * 8; bit++)
        {
            byte[] a = (byte[])first.Clone();
            byte[] b = (byte[])second.Clone();
            int index = bit / 8;
            if (index < a.Length)
            {
                a[index] ^= (byte)(1 << (bit % 8));
            }
            else
            {
                b[index - a.Length] ^= (byte)(1 << (bit % 8));
            }
            Assert.That(seen.Add(Convert.ToHexString(Digest(a, b))), Is.True, $"bit {bit}");
        }
        byte[] joined = [.. first, .. second];
        Assert.That(Digest(joined[..31], joined[31..]), Is.Not.EqualTo(digest), "the boundary between the parts counts");
    }

    private static byte[] Digest(byte[] first, byte[] second)
    {
        byte[] output = new byte[32];
        SimulatedAead.Digest(first, second, output);
        return output;
    }

    [Test]
    public void SimulatedAndRealCiphers_SameKey_NeverOpenEachOthersPackets()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using CipherState real = Keyed(key, simulated: false);
        using CipherState simulated = Keyed(key, simulated: true);

        Assert.That(Open(simulated, 3, Seal(real, 3, "from a real node"u8)), Is.Null);
        Assert.That(Open(real, 3, Seal(simulated, 3, "from a simulated node"u8)), Is.Null);
        Assert.That(real.IsSimulated, Is.False);
    }

    [Test]
    public void Rekey_BothSides_AgreeOnANewKey()
    {
        (CipherState sender, CipherState receiver) = SimulatedPair();
        byte[] before = Seal(sender, 5, "epoch 0"u8);
        sender.Rekey();
        receiver.Rekey();
        byte[] after = Seal(sender, 5, "epoch 0"u8);

        Assert.That(Open(receiver, 5, after), Is.EqualTo("epoch 0"u8.ToArray()));
        Assert.That(Open(receiver, 5, before), Is.Null, "the old key's packet fails under the new key");
        Assert.That(receiver.Clone().IsSimulated, Is.True);
    }

    [Test]
    public void Handshake_CipherKindFollowsTheStaticKey()
    {
        using X25519KeyPair simulatedA = X25519KeyPair.FromPrivateKeySimulated(RandomNumberGenerator.GetBytes(32));
        using X25519KeyPair simulatedB = X25519KeyPair.GenerateLike(simulatedA);
        using X25519KeyPair realA = X25519KeyPair.Generate();
        using X25519KeyPair realB = X25519KeyPair.Generate();

        (CipherState simulatedSend, CipherState simulatedReceive) = Complete(simulatedA, simulatedB);
        (CipherState realSend, CipherState realReceive) = Complete(realA, realB);

        Assert.That(simulatedSend.IsSimulated && simulatedReceive.IsSimulated, Is.True);
        Assert.That(realSend.IsSimulated || realReceive.IsSimulated, Is.False, "a real key always gets ChaCha20-Poly1305");
    }

    private static (CipherState Send, CipherState Receive) Complete(X25519KeyPair initiatorStatic, X25519KeyPair responderStatic)
    {
        using var initiator = new HandshakeState(true, "p"u8, initiatorStatic);
        using var responder = new HandshakeState(false, "p"u8, responderStatic);
        byte[] buffer = new byte[256];
        byte[] payload = new byte[256];
        for (int i = 0; i < 3; i++)
        {
            (HandshakeState writer, HandshakeState reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            int length = writer.WriteMessage([], buffer);
            Assert.That(reader.TryReadMessage(buffer.AsSpan(0, length), payload, out _), Is.True, $"message {i + 1}");
        }
        (CipherState send, CipherState receive) = initiator.Split();
        (CipherState peerSend, CipherState peerReceive) = responder.Split();
        byte[] sealedText = Seal(send, 0, "after the handshake"u8);
        Assert.That(Open(peerReceive, 0, sealedText), Is.EqualTo("after the handshake"u8.ToArray()));
        peerSend.Dispose();
        return (send, receive);
    }

    /// <summary>Two simulated ciphers under one random key: the two ends of an edge direction.</summary>
    private static (CipherState Sender, CipherState Receiver) SimulatedPair()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        return (Keyed(key, simulated: true), Keyed(key, simulated: true));
    }

    private static CipherState Keyed(byte[] key, bool simulated)
    {
        var cipher = new CipherState(simulated);
        cipher.InitializeKey(key);
        return cipher;
    }

    private static byte[] Seal(CipherState cipher, ulong nonce, ReadOnlySpan<byte> plaintext)
    {
        byte[] output = new byte[plaintext.Length + CipherState.TagSize];
        cipher.Seal(nonce, s_ad, plaintext, output);
        return output;
    }

    private static byte[]? Open(CipherState cipher, ulong nonce, byte[] sealedText)
    {
        byte[] output = new byte[sealedText.Length];
        return cipher.TryOpen(nonce, s_ad, sealedText, output, out int written) ? output[..written] : null;
    }
}
