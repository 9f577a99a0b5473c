namespace Ipop.Dhcp.Config;

/// <summary>
/// ipop.config's <c>&lt;GroupVPN&gt;</c>: a private group. When <see cref="Enabled"/>, all three paths are set
/// (absolute, resolved against the config file's folder); when not, they may be null.
/// </summary>
public sealed record GroupVpnConfig
{
    public bool Enabled { get; init; }

    /// <summary>The group authority's certificate (ca.crt).</summary>
    public string? AuthorityCertificatePath { get; init; }

    /// <summary>This member's certificate, signed by the authority (node.crt).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>This node's key: the same key as node.config's Security/KeyPath.</summary>
    public string? KeyPath { get; init; }
}
