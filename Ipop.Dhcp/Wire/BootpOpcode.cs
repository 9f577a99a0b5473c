namespace Ipop.Dhcp.Wire;

/// <summary>The <c>op</c> field (RFC 2131 §2): clients send requests, servers send replies.</summary>
public enum BootpOpcode : byte
{
    BootRequest = 1,
    BootReply = 2,
}
