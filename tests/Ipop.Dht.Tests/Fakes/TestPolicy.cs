using Brunet.Addressing;
using Brunet.Security;
using Ipop.Dht.Security;

namespace Ipop.Dht.Tests.Fakes;

/// <summary>A private group whose members are the listed addresses.</summary>
internal sealed class TestPolicy(params Address[] members) : IGroupPolicy
{
    public bool IsPrivate => true;

    public string? GroupName => "test";

    public byte[]? LocalCertificate => [1, 2, 3];

    public string? Check(PeerIdentity peer) => members.Contains(peer.Address) ? null : "not a member";

    public string? CheckCertificate(Address writer, ReadOnlySpan<byte> certificate) => members.Contains(writer) ? null : "not a member";

    public byte[]? LeaseCredential => [4, 5, 6];

    public string? CheckLeaseRecord(Address writer, ReadOnlySpan<byte> signingKey, byte[]? credential, string? hostName = null) =>
        members.Contains(writer) ? null : "not a member";
}
