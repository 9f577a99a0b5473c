using Brunet.Config;
using Brunet.Security;
using Brunet.Security.Certificates;
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

    /// <summary>
    /// Why a private group's leases cannot displace outsiders' records (<see cref="Brunet.Dht.LeaseRecordRule"/>): the
    /// certificate's group is not <paramref name="ipopNamespace"/>. Null when they match, or for an open VPN.
    /// </summary>
    public static string? NamespaceWarning(IGroupPolicy policy, string ipopNamespace)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.IsPrivate || policy.GroupName is not { } group || CertificateNames.AreEqual(group, ipopNamespace))
        {
            return null;
        }
        return $"the certificate's group '{group}' is not the IpopNamespace '{ipopNamespace}': members' leases and names cannot "
            + $"displace records that nodes outside the group put under dhcp:{ipopNamespace}:* and dns:{ipopNamespace}:*; "
            + "name the namespace after the group";
    }
}
