namespace Brunet.Config;

/// <summary>
/// <c>&lt;Security&gt;&lt;KeyPath&gt;node.key&lt;/KeyPath&gt;&lt;AuthorityCertificate&gt;ca.crt&lt;/AuthorityCertificate&gt;&lt;Certificate&gt;node.crt&lt;/Certificate&gt;&lt;/Security&gt;</c>.
/// Every path is absolute: the loader resolves relative paths against the config file's folder.
/// </summary>
public sealed record SecurityConfig
{
    /// <summary>The key file's name when the config does not say.</summary>
    public const string DefaultKeyFileName = "node.key";

    /// <remarks>
    /// The node's long-term key (a file with mode 0600, made on first run if absent); the node address is derived
    /// from it. Defaults to <c>node.key</c> beside the config file.
    /// </remarks>
    public required string KeyPath { get; init; }

    /// <remarks>
    /// The group authority's certificate. Set together with <see cref="CertificatePath"/>: then the overlay is
    /// private and only holders of a certificate from this authority can link to its nodes. Null: an open overlay.
    /// </remarks>
    public string? AuthorityCertificatePath { get; init; }

    /// <remarks>This node's certificate, signed by the authority. Set exactly when <see cref="AuthorityCertificatePath"/> is.</remarks>
    public string? CertificatePath { get; init; }

    /// <summary>True when both certificates are configured: a private overlay.</summary>
    public bool IsPrivateOverlay => AuthorityCertificatePath is not null && CertificatePath is not null;
}
