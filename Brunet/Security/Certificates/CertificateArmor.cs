using System.Text;

namespace Brunet.Security.Certificates;

/// <summary>
/// The text armour of certificate files: <c>-----BEGIN LABEL-----</c>, the binary form in base64 (64 characters a
/// line), <c>-----END LABEL-----</c>, as PEM (RFC 7468) lays it out. Lines outside the armour are ignored, so a file
/// may carry comments above it.
/// </summary>
public static class CertificateArmor
{
    public const string AuthorityLabel = "BRUNET GROUP AUTHORITY";
    public const string MemberLabel = "BRUNET GROUP MEMBER";
    public const string RevocationListLabel = "BRUNET GROUP REVOCATION LIST";

    /// <summary>Largest armoured file we read: certificates are a few hundred bytes.</summary>
    public const int MaxTextLength = 16 * 1024;

    private const int LineLength = 64;

    public static string Encode(string label, ReadOnlySpan<byte> data)
    {
        string base64 = Convert.ToBase64String(data);
        var text = new StringBuilder();
        text.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (int i = 0; i < base64.Length; i += LineLength)
        {
            text.Append(base64, i, Math.Min(LineLength, base64.Length - i)).Append('\n');
        }
        text.Append("-----END ").Append(label).Append("-----\n");
        return text.ToString();
    }

    /// <summary>The bytes inside the first <paramref name="label"/> armour of <paramref name="text"/>; null and a reason when there is none.</summary>
    public static byte[]? TryDecode(string text, string label, out string? error)
    {
        if (text.Length > MaxTextLength)
        {
            error = $"longer than {MaxTextLength} characters: not a certificate file";
            return null;
        }
        string begin = "-----BEGIN " + label + "-----";
        string end = "-----END " + label + "-----";
        var base64 = new StringBuilder();
        bool inside = false;
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.Trim();
            if (!inside)
            {
                inside = line == begin;
                continue;
            }
            if (line == end)
            {
                byte[] buffer = new byte[base64.Length];
                if (!Convert.TryFromBase64String(base64.ToString(), buffer, out int written))
                {
                    error = $"the text between '{begin}' and '{end}' is not base64";
                    return null;
                }
                error = null;
                return buffer[..written];
            }
            base64.Append(line);
        }
        error = inside ? $"'{end}' is missing (truncated file?)" : $"no '{begin}' line: not a {label.ToLowerInvariant()} file";
        return null;
    }
}
