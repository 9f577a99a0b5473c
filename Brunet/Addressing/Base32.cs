namespace Brunet.Addressing;

/// <summary>RFC 4648 §6 base32 (A–Z, 2–7) without padding, for whole multiples of 5 bytes.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        if (data.Length % 5 != 0)
        {
            throw new ArgumentException("Base32 without padding needs a multiple of 5 bytes.", nameof(data));
        }
        Span<char> text = stackalloc char[data.Length / 5 * 8];
        int c = 0;
        for (int i = 0; i < data.Length; i += 5)
        {
            ulong group = ((ulong)data[i] << 32) | ((ulong)data[i + 1] << 24) | ((ulong)data[i + 2] << 16)
                | ((ulong)data[i + 3] << 8) | data[i + 4];
            for (int shift = 35; shift >= 0; shift -= 5)
            {
                text[c++] = Alphabet[(int)((group >> shift) & 31)];
            }
        }
        return new string(text);
    }

    /// <summary>Decodes exactly <paramref name="destination"/>.Length bytes; false on a wrong length or character.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (destination.Length % 5 != 0 || text.Length != destination.Length / 5 * 8)
        {
            return false;
        }
        int b = 0;
        for (int i = 0; i < text.Length; i += 8)
        {
            ulong group = 0;
            for (int j = 0; j < 8; j++)
            {
                int value = Value(text[i + j]);
                if (value < 0)
                {
                    return false;
                }
                group = (group << 5) | (uint)value;
            }
            for (int shift = 32; shift >= 0; shift -= 8)
            {
                destination[b++] = (byte)(group >> shift);
            }
        }
        return true;
    }

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a',     // accept lower case, as RFC 4648 decoders commonly do
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };
}
