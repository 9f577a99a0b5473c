using Brunet.Config;
using Brunet.Security;
using Ipop.Dhcp.Config;

namespace Ipop.Dht.Security;

/// <summary>Chooses the policy for an ipop.config: open without GroupVPN, the group's certificates with it.</summary>
internal static class GroupPolicies
{
    /// <exception cref="ConfigException">GroupVPN is enabled but its certificates cannot be loaded, or this node holds no member certificate.</exception>
    public static IGroupPolicy Load(IpopConfig config, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.GroupVpn.Enabled)
        {
            return OpenGroupPolicy.Instance;
        }
        IGroupPolicy policy = GroupMembership.Load(config, identity);
        if (policy.LocalCertificate is null)
        {
            throw new ConfigException(config.FilePath, "IpopConfig/GroupVPN/Certificate", "this node holds no member certificate, so it may not lease an address");
        }
        return policy;
    }
}
