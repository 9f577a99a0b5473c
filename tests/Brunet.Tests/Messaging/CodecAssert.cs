using Brunet.Messaging;

namespace Brunet.Tests.Messaging;

/// <summary>Runs a codec on hostile input: it may succeed or throw <see cref="WireFormatException"/>, nothing else.</summary>
internal static class CodecAssert
{
    /// <summary>True when <paramref name="parse"/> accepted the input, false when it threw WireFormatException.</summary>
    public static bool AcceptsOrRejectsCleanly(Action<byte[]> parse, byte[] input, string what)
    {
        try
        {
            parse(input);
            return true;
        }
        catch (WireFormatException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} ({e.Message}) on input {Convert.ToHexString(input)}");
            return false;
        }
    }

    /// <summary>Every strict prefix of <paramref name="encoded"/> is rejected with WireFormatException.</summary>
    public static void EveryTruncationRejected(Action<byte[]> parse, byte[] encoded, string what)
    {
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.That(AcceptsOrRejectsCleanly(parse, encoded[..length], what), Is.False, $"{what} truncated to {length} of {encoded.Length} bytes was accepted");
        }
    }

    /// <summary>Random arrays and bit flips of valid encodings: anything but WireFormatException fails the test.</summary>
    public static int Fuzz(Action<byte[]> parse, IReadOnlyList<byte[]> samples, int seed, string what, int randomCount = 3000, int flipsPerSample = 1000)
    {
        var random = new Random(seed);
        int accepted = 0;
        for (int i = 0; i < randomCount; i++)
        {
            byte[] input = new byte[random.Next(0, 300)];
            random.NextBytes(input);
            accepted += AcceptsOrRejectsCleanly(parse, input, $"{what} (seed {seed}, random #{i})") ? 1 : 0;
        }
        foreach (byte[] sample in samples)
        {
            for (int i = 0; i < flipsPerSample && sample.Length > 0; i++)
            {
                byte[] input = (byte[])sample.Clone();
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips; f++)
                {
                    input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                }
                if (random.Next(4) == 0)
                {
                    input = input[..random.Next(input.Length + 1)];
                }
                accepted += AcceptsOrRejectsCleanly(parse, input, $"{what} (seed {seed}, flip #{i})") ? 1 : 0;
            }
        }
        return accepted;
    }
}
