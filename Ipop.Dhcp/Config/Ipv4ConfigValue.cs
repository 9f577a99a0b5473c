using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using Brunet.Config;

namespace Ipop.Dhcp.Config;

/// <summary>The one value type ipop.config and dhcp.config have that node.config does not: a strict IPv4 address.</summary>
internal static class Ipv4ConfigValue
{
    /// <summary>A dotted IPv4 address, written as four decimal numbers (no shorthand such as <c>10.1</c>).</summary>
    public static IPAddress ReadIPv4(this ConfigReader reader, XElement element, string what)
    {
        string text = reader.Text(element);
        if (!IPAddress.TryParse(text, out IPAddress? address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || text.Split('.').Length != 4
            || !text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            throw reader.Error(element, $"expected {what} (a dotted IPv4 address such as 100.64.0.0), got {ConfigReader.Quote(text)}");
        }
        return address;
    }
}
