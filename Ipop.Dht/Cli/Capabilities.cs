using System.Globalization;

namespace Ipop.Dht.Cli;

/// <summary>Whether this process may create a TAP device: root, or CAP_NET_ADMIN (e.g. a systemd unit's AmbientCapabilities).</summary>
internal static class Capabilities
{
    // linux/capability.h
    private const int CapNetAdmin = 12;

    public static bool CanAdministerNetwork()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return true;
        }
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong effective))
                {
                    return (effective & (1UL << CapNetAdmin)) != 0;
                }
            }
        }
        catch (IOException)
        {
            return false;
        }
        return false;
    }
}
