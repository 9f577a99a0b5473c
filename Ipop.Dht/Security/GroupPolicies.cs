using Brunet.Security;
using Ipop.Dhcp.Config;

namespace Ipop.Dht.Security;

/// <summary>
/// Chooses the policy for an ipop.config: open without GroupVPN, the group's certificates with it. The certificate
/// policy is plugged in through <see cref="LoadMembership"/> (GroupMembership.Load), so this build runs without it.
/// </summary>
internal static class GroupPolicies
{
    /// <summary>Loads the member certificate and authority of <c>ipop.config</c>'s GroupVPN; throws IpopConfigException when they are bad.</summary>
    public static Func<IpopConfig, NodeIdentity, IGroupPolicy>? LoadMembership { get; set; }

    /// <exception cref="IpopConfigException">GroupVPN is enabled but cannot be loaded.</exception>
    public static IGroupPolicy Load(IpopConfig config, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.GroupVpn.Enabled)
        {
            return OpenGroupPolicy.Instance;
        }
        if (LoadMembership is not { } load)
        {
            throw new IpopConfigException(config.FilePath, "IpopConfig/GroupVPN/Enabled", "GroupVPN certificates are not available in this build");
        }
        IGroupPolicy policy = load(config, identity);
        if (policy.LocalCertificate is null)
        {
            throw new IpopConfigException(config.FilePath, "IpopConfig/GroupVPN/Certificate", "this node holds no member certificate, so it may not lease an address");
        }
        return policy;
    }
}
