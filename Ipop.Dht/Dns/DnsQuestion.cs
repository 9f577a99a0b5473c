namespace Ipop.Dht.Dns;

/// <summary>A question entry (RFC 1035 §4.1.2): QNAME, QTYPE, QCLASS.</summary>
public sealed record DnsQuestion(DnsName Name, DnsRecordType Type, ushort Class)
{
    /// <summary>QCLASS IN, the Internet.</summary>
    public const ushort InternetClass = 1;
}
