namespace Ipop.Dht.Dns;

/// <summary>RR TYPE values (RFC 1035 §3.2.2, RFC 3596 for AAAA, RFC 6891 for OPT).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    Ns = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    Mx = 15,
    Txt = 16,
    Aaaa = 28,
    Opt = 41,
    Any = 255,
}
