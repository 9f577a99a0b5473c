using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Brunet.Nat;

/// <summary>
/// UPnP Internet Gateway Device messages (UPnP Device Architecture 1.1; WANIPConnection:1/2): the SSDP search, the
/// device description, and the SOAP bodies of AddPortMapping, DeletePortMapping and GetExternalIPAddress. Pure text
/// codecs, no sockets.
/// </summary>
public static class UpnpIgd
{
    public static readonly IPEndPoint SsdpMulticast = new(IPAddress.Parse("239.255.255.250"), 1900);

    public const string GatewaySearchTarget = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";

    private static readonly XNamespace s_soap = "http://schemas.xmlsoap.org/soap/envelope/";

    /// <summary>An SSDP M-SEARCH for gateways; <paramref name="maxWaitSeconds"/> is MX, how long devices may delay.</summary>
    public static byte[] SearchRequest(int maxWaitSeconds) => Encoding.ASCII.GetBytes(
        "M-SEARCH * HTTP/1.1\r\n" +
        "HOST: 239.255.255.250:1900\r\n" +
        "MAN: \"ssdp:discover\"\r\n" +
        $"MX: {maxWaitSeconds.ToString(CultureInfo.InvariantCulture)}\r\n" +
        $"ST: {GatewaySearchTarget}\r\n" +
        "\r\n");

    /// <summary>The LOCATION of an SSDP search response (an HTTP/1.1 200 over UDP), or null.</summary>
    public static Uri? ParseSearchResponse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > 4096)
        {
            return null;
        }
        string text = Encoding.ASCII.GetString(datagram);
        string[] lines = text.Split("\r\n");
        if (lines.Length == 0 || !lines[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !lines[0].Contains(" 200", StringComparison.Ordinal))
        {
            return null;
        }
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("LOCATION", StringComparison.OrdinalIgnoreCase)
                && Uri.TryCreate(line[(colon + 1)..].Trim(), UriKind.Absolute, out Uri? location)
                && location.Scheme == Uri.UriSchemeHttp)
            {
                return location;
            }
        }
        return null;
    }

    /// <summary>
    /// Finds the WANIPConnection (or WANPPPConnection) service in a device description: its service type and absolute
    /// control URL (relative URLs resolve against URLBase, else the description's own location). Null if none.
    /// </summary>
    public static UpnpService? ParseDescription(string xml, Uri location)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(xml, LoadOptions.None);
        }
        catch (XmlException)
        {
            return null;
        }
        if (document.Root is not { } root)
        {
            return null;
        }
        XNamespace ns = root.Name.Namespace;
        Uri baseUri = location;
        if (root.Element(ns + "URLBase")?.Value.Trim() is { Length: > 0 } urlBase && Uri.TryCreate(urlBase, UriKind.Absolute, out Uri? parsedBase))
        {
            baseUri = parsedBase;
        }
        UpnpService? ppp = null;
        foreach (XElement service in root.Descendants(ns + "service"))
        {
            string type = service.Element(ns + "serviceType")?.Value.Trim() ?? "";
            string control = service.Element(ns + "controlURL")?.Value.Trim() ?? "";
            bool ip = type.StartsWith("urn:schemas-upnp-org:service:WANIPConnection:", StringComparison.Ordinal);
            bool isPpp = type.StartsWith("urn:schemas-upnp-org:service:WANPPPConnection:", StringComparison.Ordinal);
            if ((!ip && !isPpp) || control.Length == 0 || !Uri.TryCreate(baseUri, control, out Uri? controlUrl))
            {
                continue;
            }
            if (ip)
            {
                return new UpnpService(type, controlUrl);
            }
            ppp ??= new UpnpService(type, controlUrl);
        }
        return ppp;
    }

    public static string AddPortMappingBody(string serviceType, MappingProtocol protocol, ushort externalPort, IPAddress internalClient, ushort internalPort, string description, uint leaseSeconds) =>
        Envelope(serviceType, "AddPortMapping",
            ("NewRemoteHost", ""),
            ("NewExternalPort", externalPort.ToString(CultureInfo.InvariantCulture)),
            ("NewProtocol", ProtocolName(protocol)),
            ("NewInternalPort", internalPort.ToString(CultureInfo.InvariantCulture)),
            ("NewInternalClient", internalClient.ToString()),
            ("NewEnabled", "1"),
            ("NewPortMappingDescription", description),
            ("NewLeaseDuration", leaseSeconds.ToString(CultureInfo.InvariantCulture)));

    public static string DeletePortMappingBody(string serviceType, MappingProtocol protocol, ushort externalPort) =>
        Envelope(serviceType, "DeletePortMapping",
            ("NewRemoteHost", ""),
            ("NewExternalPort", externalPort.ToString(CultureInfo.InvariantCulture)),
            ("NewProtocol", ProtocolName(protocol)));

    public static string GetExternalIPAddressBody(string serviceType) => Envelope(serviceType, "GetExternalIPAddress");

    /// <summary>The SOAPAction header value: the quoted service type and action.</summary>
    public static string SoapAction(string serviceType, string action) => $"\"{serviceType}#{action}\"";

    /// <summary>Reads one output argument (e.g. NewExternalIPAddress) of a SOAP response, or null (a fault, bad XML).</summary>
    public static string? ParseResponseArgument(string xml, string argument)
    {
        try
        {
            XDocument document = XDocument.Parse(xml);
            XElement? body = document.Root?.Element(s_soap + "Body");
            if (body is null || body.Element(s_soap + "Fault") is not null)
            {
                return null;
            }
            return body.Descendants().FirstOrDefault(e => e.Name.LocalName == argument)?.Value.Trim();
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>The UPnP error code of a SOAP fault (e.g. 718 ConflictInMappingEntry), or null.</summary>
    public static int? ParseFaultCode(string xml)
    {
        try
        {
            XDocument document = XDocument.Parse(xml);
            string? code = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "errorCode")?.Value.Trim();
            return int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static string ProtocolName(MappingProtocol protocol) => protocol == MappingProtocol.Udp ? "UDP" : "TCP";

    private static string Envelope(string serviceType, string action, params (string Name, string Value)[] arguments)
    {
        XNamespace u = serviceType;
        var envelope = new XElement(s_soap + "Envelope",
            new XAttribute(XNamespace.Xmlns + "s", s_soap.NamespaceName),
            new XAttribute(s_soap + "encodingStyle", "http://schemas.xmlsoap.org/soap/encoding/"),
            new XElement(s_soap + "Body",
                new XElement(u + action,
                    new XAttribute(XNamespace.Xmlns + "u", serviceType),
                    arguments.Select(a => new XElement(a.Name, a.Value)))));
        return "<?xml version=\"1.0\"?>\r\n" + envelope.ToString(SaveOptions.DisableFormatting);
    }
}
