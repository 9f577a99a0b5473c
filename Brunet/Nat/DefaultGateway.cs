using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Brunet.Nat;

/// <summary>The IPv4 default gateway, from Linux's /proc/net/route.</summary>
public static class DefaultGateway
{
    public const string RouteTablePath = "/proc/net/route";

    /// <summary>The gateway of this host's default route, or null (no default route, not Linux).</summary>
    public static IPAddress? Find()
    {
        try
        {
            return File.Exists(RouteTablePath) ? Parse(File.ReadAllText(RouteTablePath)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses /proc/net/route: a header line, then "Iface Destination Gateway Flags ..." with addresses as 8 hex digits
    /// in host (little-endian) byte order. The default route has destination 0 and the RTF_GATEWAY flag (0x2); of several,
    /// the one with the lowest metric wins.
    /// </summary>
    public static IPAddress? Parse(string routeTable)
    {
        IPAddress? best = null;
        int bestMetric = int.MaxValue;
        foreach (string line in routeTable.Split('\n').Skip(1))
        {
            string[] fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 7
                || !uint.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint destination)
                || !uint.TryParse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint gateway)
                || !ushort.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort flags)
                || !int.TryParse(fields[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out int metric))
            {
                continue;
            }
            const ushort RtfUp = 0x1, RtfGateway = 0x2;
            if (destination != 0 || (flags & (RtfUp | RtfGateway)) != (RtfUp | RtfGateway) || gateway == 0 || metric >= bestMetric)
            {
                continue;
            }
            byte[] bytes = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, gateway);
            best = new IPAddress(bytes);
            bestMetric = metric;
        }
        return best;
    }
}
