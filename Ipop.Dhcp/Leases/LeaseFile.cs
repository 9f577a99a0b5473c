using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ipop.Dhcp.Leases;

/// <summary>
/// Keeps the last lease on disk as three <c>key=value</c> lines (namespace, address, expires in ISO 8601 UTC),
/// written to a temporary file and renamed so a crash never leaves half a file. A missing or damaged file only means
/// the host starts with a random address.
/// </summary>
public static class LeaseFile
{
    /// <summary>The file's name beside the configs.</summary>
    public const string DefaultFileName = "lease";

    /// <summary>A lease file is three short lines; a larger file is not ours.</summary>
    public const int MaxFileSize = 4096;

    private const string Header = "# The last virtual IP this host leased; it asks for it again after a restart.";

    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, LeaseRecord record)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(record);
        if (record.Namespace.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException("The namespace has spaces or control characters.", nameof(record));
        }
        StringBuilder text = new StringBuilder()
            .Append(Header).Append('\n')
            .Append("namespace=").Append(record.Namespace).Append('\n')
            .Append("address=").Append(record.Address).Append('\n')
            .Append("expires=").Append(record.Expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString(), new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the last lease; false with a reason when the file is missing, unreadable or damaged.</summary>
    public static bool TryLoad(string path, out LeaseRecord? record, out string? problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        record = null;
        string text;
        try
        {
            FileInfo info = new(path);
            if (!info.Exists)
            {
                problem = "no lease file";
                return false;
            }
            if (info.Length > MaxFileSize)
            {
                problem = $"larger than {MaxFileSize} bytes";
                return false;
            }
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            problem = e.Message;
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            problem = e.Message;
            return false;
        }

        string? ns = null;
        IPAddress? address = null;
        DateTimeOffset? expires = null;
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                problem = $"a line without key=value: '{line}'";
                return false;
            }
            string key = line[..equals];
            string value = line[(equals + 1)..];
            switch (key)
            {
                case "namespace":
                    ns = value;
                    break;
                case "address":
                    if (!IPAddress.TryParse(value, out address) || address.AddressFamily != AddressFamily.InterNetwork)
                    {
                        problem = $"bad address '{value}'";
                        return false;
                    }
                    break;
                case "expires":
                    if (!DateTimeOffset.TryParseExact(value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
                    {
                        problem = $"bad expiry '{value}'";
                        return false;
                    }
                    expires = parsed;
                    break;
                default:
                    break;      // a later version's field
            }
        }
        if (ns is null || ns.Length == 0 || address is null || expires is null)
        {
            problem = "namespace, address or expires is missing";
            return false;
        }
        record = new LeaseRecord(ns, address, expires.Value);
        problem = null;
        return true;
    }
}
