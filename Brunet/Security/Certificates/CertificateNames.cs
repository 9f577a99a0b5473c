namespace Brunet.Security.Certificates;

/// <summary>
/// Group and host names in certificates: 1-63 characters of <c>[A-Za-z0-9-]</c>, not starting with '-' (a DNS label,
/// RFC 1035 §2.3.1, so a host name is also its <c>&lt;host&gt;.ipop</c> DNS name). Compared case-insensitively.
/// </summary>
public static class CertificateNames
{
    public const int MaxLength = 63;

    /// <summary>Null when <paramref name="name"/> is a valid group or host name; else why not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a name of 1-63 letters, digits and '-', got an empty one";
        }
        if (name.Length > MaxLength)
        {
            return $"a name of 1-63 letters, digits and '-', got {name.Length} characters";
        }
        if (name[0] == '-')
        {
            return $"a name of 1-63 letters, digits and '-' not starting with '-', got '{name}'";
        }
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return $"a name of 1-63 letters, digits and '-', got '{name}'";
            }
        }
        return null;
    }

    public static bool IsValid(string? name) => Validate(name) is null;

    public static bool AreEqual(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
