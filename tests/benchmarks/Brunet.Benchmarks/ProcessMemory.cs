using System.Globalization;

namespace Brunet.Benchmarks;

internal static class ProcessMemory
{
    /// <summary>Resident set size in bytes, from VmRSS in /proc/self/status (Linux); -1 elsewhere.</summary>
    public static long ResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                // "VmRSS:\t%8lu kB": a tab, then spaces only while the figure is under 8 digits (10 GB).
                string[] parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;   // "VmRSS:  123456 kB"
            }
        }
        return -1;
    }
}
