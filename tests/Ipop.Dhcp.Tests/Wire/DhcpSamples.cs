namespace Ipop.Dhcp.Tests.Wire;

/// <summary>
/// DHCP messages as hex. Attribute arguments must be constants, so the fixed 236-byte BOOTP header is spelled out
/// from its parts (RFC 2131 §2, figure 1).
/// </summary>
internal static class DhcpSamples
{
    public const string Zeros4 = "00000000";
    public const string Zeros10 = "00000000000000000000";
    public const string Sname = Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4
        + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4 + Zeros4;          // 64 bytes
    public const string File = Sname + Sname;                                                // 128 bytes
    public const string Cookie = "63825363";

    /// <summary>
    /// A DISCOVER laid out as busybox udhcpc 1.36 builds it by default (our reading of networking/udhcp/dhcpc.c
    /// and common.c, not a capture): broadcast flag clear; options 53 = DISCOVER, 57 = 576, 55 = the options
    /// common.c marks OPTION_REQ (1, 3, 6, 12, 15, 28, 42), 60 = "udhcp 1.36.1", 61 = type 1 + MAC; then END and
    /// zeros up to 300 bytes (udhcp_send_raw_packet never sends less than 300).
    /// </summary>
    public const string UdhcpcDiscover =
        "01010600" + "3903f326" + "0000" + "0000" + Zeros4 + Zeros4 + Zeros4 + Zeros4
        + "525400123456" + Zeros10 + Sname + File + Cookie
        + "350101"
        + "39020240"
        + "3707010306" + "0c0f1c2a"
        + "3c0c" + "756468637020312e33362e31"
        + "3d0701525400123456"
        + "ff"
        + Zeros10 + Zeros10;                                                                    // 280 + 20 = 300

    /// <summary>
    /// A REQUEST (SELECTING) as ISC dhclient 4.4 on Debian sends it with the stock dhclient.conf (modeled on the
    /// option order of its make_request and Wireshark dissections of such requests, not a capture): secs 3;
    /// 53 = REQUEST, 54 = server 100.64.0.1, 50 = 100.64.10.7, 12 = "host1", 55 = 1, 28, 2, 3, 15, 6, 119, 12, 44,
    /// 47, 26, 121, 42; END; zeros up to 300 bytes.
    /// </summary>
    public const string DhclientRequest =
        "01010600" + "5a3c9e01" + "0003" + "0000" + Zeros4 + Zeros4 + Zeros4 + Zeros4
        + "525400abcdef" + Zeros10 + Sname + File + Cookie
        + "350103"
        + "360464400001"
        + "320464400a07"
        + "0c05686f737431"
        + "370d011c02030f06770c2c2f1a792a"
        + "ff"
        + Zeros10 + Zeros10 + "0000";                                                           // 278 + 22 = 300

    /// <summary>
    /// Written by hand from RFC 2131 §2: an ACK (op 2, hops 1, broadcast flag set, every address field used) whose
    /// options hold two PADs, an unknown option (224, site-specific) and a host name split in two parts (RFC 3396);
    /// nothing after END.
    /// </summary>
    public const string HandAck =
        "02010601" + "01020304" + "0010" + "8000" + "64400a07" + "64400a08" + "64400001" + "c0a80001"
        + "0a0b0c0d0e0f" + Zeros10 + Sname + File + Cookie
        + "350105"
        + "00"
        + "3304" + "00000e10"
        + "3a04" + "00000708"
        + "3b04" + "00000c4e"
        + "0104ffff0000"
        + "0308" + "64400001" + "64400002"
        + "060464400001"
        + "0f0469706f70"
        + "1a0204b0"
        + "e003aabbcc"
        + "0c02686f"
        + "0c0473743100"
        + "00"
        + "ff";

    /// <summary>The smallest message we accept: header and END only (a BOOTP-style request without option 53).</summary>
    public const string Minimal =
        "01010600" + "00000001" + "0000" + "0000" + Zeros4 + Zeros4 + Zeros4 + Zeros4
        + "000000000001" + Zeros10 + Sname + File + Cookie + "ff";
}
