using System.Net;
using System.Text;
using System.Xml.Linq;
using Brunet.Nat;

namespace Brunet.Tests.Nat;

public sealed class UpnpIgdTests
{
    private static readonly Uri s_location = new("http://192.168.5.1:35005/rootDesc.xml");

    // Cut down from the description a miniupnpd gateway serves: the IGD, a WANDevice, a WANConnectionDevice.
    private const string Description = """
        <?xml version="1.0"?>
        <root xmlns="urn:schemas-upnp-org:device-1-0">
          <specVersion><major>1</major><minor>1</minor></specVersion>
          <device>
            <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
            <serviceList><service>
              <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
              <controlURL>/ctl/L3F</controlURL>
            </service></serviceList>
            <deviceList><device>
              <deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
              <deviceList><device>
                <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
                <serviceList>
                  <service>
                    <serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>
                    <controlURL>/ctl/PPPConn</controlURL>
                  </service>
                  <service>
                    <serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>
                    <controlURL>/ctl/IPConn</controlURL>
                  </service>
                </serviceList>
              </device></deviceList>
            </device></deviceList>
          </device>
        </root>
        """;

    [Test]
    public void SearchRequest_Always_IsAnSsdpMSearchForGateways()
    {
        string text = Encoding.ASCII.GetString(UpnpIgd.SearchRequest(2));
        Assert.That(text, Does.StartWith("M-SEARCH * HTTP/1.1\r\n"));
        Assert.That(text, Does.Contain("MAN: \"ssdp:discover\"\r\n"));
        Assert.That(text, Does.Contain("MX: 2\r\n"));
        Assert.That(text, Does.Contain("ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"));
        Assert.That(text, Does.EndWith("\r\n\r\n"));
    }

    [Test]
    public void ParseSearchResponse_200WithLocation_ReturnsLocation()
    {
        byte[] reply = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
            "USN: uuid:x::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nEXT:\r\nSERVER: Debian UPnP/1.1 MiniUPnPd/2.3.1\r\n" +
            "location: http://192.168.5.1:35005/rootDesc.xml\r\n\r\n");
        Assert.That(UpnpIgd.ParseSearchResponse(reply), Is.EqualTo(s_location));
    }

    [TestCase("NOTIFY * HTTP/1.1\r\nLOCATION: http://192.168.5.1:1/d.xml\r\n\r\n", Description = "an announcement, not a reply")]
    [TestCase("HTTP/1.1 200 OK\r\nST: x\r\n\r\n", Description = "no location")]
    [TestCase("HTTP/1.1 200 OK\r\nLOCATION: file:///etc/passwd\r\n\r\n", Description = "not http")]
    [TestCase("HTTP/1.1 404 Not Found\r\nLOCATION: http://192.168.5.1:1/d.xml\r\n\r\n", Description = "not 200")]
    public void ParseSearchResponse_NotAUsableReply_Null(string reply) =>
        Assert.That(UpnpIgd.ParseSearchResponse(Encoding.ASCII.GetBytes(reply)), Is.Null);

    [Test]
    public void ParseDescription_NestedDevices_FindsWanIpConnectionBeforePpp()
    {
        UpnpService? service = UpnpIgd.ParseDescription(Description, s_location);
        Assert.That(service, Is.EqualTo(new UpnpService("urn:schemas-upnp-org:service:WANIPConnection:2", new Uri("http://192.168.5.1:35005/ctl/IPConn"))));
    }

    [Test]
    public void ParseDescription_OnlyPpp_FindsPpp()
    {
        string xml = Description.Replace("WANIPConnection:2", "WANIPv6FirewallControl:1", StringComparison.Ordinal);
        Assert.That(UpnpIgd.ParseDescription(xml, s_location)?.ControlUrl, Is.EqualTo(new Uri("http://192.168.5.1:35005/ctl/PPPConn")));
    }

    [Test]
    public void ParseDescription_UrlBase_ResolvesAgainstIt()
    {
        string xml = Description.Replace("<specVersion>", "<URLBase>http://10.0.0.1:5000/</URLBase><specVersion>", StringComparison.Ordinal);
        Assert.That(UpnpIgd.ParseDescription(xml, s_location)?.ControlUrl, Is.EqualTo(new Uri("http://10.0.0.1:5000/ctl/IPConn")));
    }

    [TestCase("<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device/></root>", Description = "no WAN connection service")]
    [TestCase("<root", Description = "malformed XML")]
    public void ParseDescription_NoService_Null(string xml) => Assert.That(UpnpIgd.ParseDescription(xml, s_location), Is.Null);

    [Test]
    public void AddPortMappingBody_Always_CarriesArgumentsInServiceNamespace()
    {
        const string Type = "urn:schemas-upnp-org:service:WANIPConnection:1";
        string body = UpnpIgd.AddPortMappingBody(Type, MappingProtocol.Udp, 40000, IPAddress.Parse("192.168.5.2"), 40001, "a<b", 3600);
        XDocument document = XDocument.Parse(body);
        XNamespace soap = "http://schemas.xmlsoap.org/soap/envelope/";
        XElement action = document.Root!.Element(soap + "Body")!.Element((XNamespace)Type + "AddPortMapping")!;
        Assert.That(action.Element("NewRemoteHost")!.Value, Is.Empty);
        Assert.That(action.Element("NewExternalPort")!.Value, Is.EqualTo("40000"));
        Assert.That(action.Element("NewProtocol")!.Value, Is.EqualTo("UDP"));
        Assert.That(action.Element("NewInternalPort")!.Value, Is.EqualTo("40001"));
        Assert.That(action.Element("NewInternalClient")!.Value, Is.EqualTo("192.168.5.2"));
        Assert.That(action.Element("NewEnabled")!.Value, Is.EqualTo("1"));
        Assert.That(action.Element("NewPortMappingDescription")!.Value, Is.EqualTo("a<b"));
        Assert.That(action.Element("NewLeaseDuration")!.Value, Is.EqualTo("3600"));
        Assert.That(UpnpIgd.SoapAction(Type, "AddPortMapping"), Is.EqualTo("\"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\""));
    }

    [Test]
    public void DeletePortMappingBody_Always_NamesPortAndProtocol()
    {
        string body = UpnpIgd.DeletePortMappingBody("urn:schemas-upnp-org:service:WANIPConnection:1", MappingProtocol.Tcp, 40000);
        Assert.That(body, Does.Contain("<NewExternalPort>40000</NewExternalPort>"));
        Assert.That(body, Does.Contain("<NewProtocol>TCP</NewProtocol>"));
        Assert.That(body, Does.Contain("DeletePortMapping"));
    }

    [Test]
    public void ParseResponseArgument_GetExternalIPAddressReply_ReadsAddress()
    {
        const string Reply = """
            <?xml version="1.0"?>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2"><NewExternalIPAddress>11.0.0.5</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>
            """;
        Assert.That(UpnpIgd.ParseResponseArgument(Reply, "NewExternalIPAddress"), Is.EqualTo("11.0.0.5"));
    }

    [Test]
    public void ParseFaultCode_ConflictFault_Reads718()
    {
        const string Fault = """
            <?xml version="1.0"?>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>
            """;
        Assert.That(UpnpIgd.ParseFaultCode(Fault), Is.EqualTo(718));
        Assert.That(UpnpIgd.ParseResponseArgument(Fault, "NewExternalIPAddress"), Is.Null);
    }
}
