using Brunet.Addressing;
using Brunet.Dht;
using Brunet.Security;
using Brunet.Security.Certificates;

namespace Brunet.Tests.Dht;

/// <summary>A DHT writer with a real node key and a member credential from an authority.</summary>
internal sealed class MemberSigner : IDhtSigner, IDisposable
{
    public MemberSigner(GroupAuthority authority, string hostName)
    {
        Identity = NodeIdentity.Generate();
        Credential = MemberCredential.Create(authority.Issue(hostName, Identity), authority.Certificate).Encode();
    }

    public NodeIdentity Identity { get; }

    public byte[] Credential { get; }

    public Address Address => Identity.Address;

    public ReadOnlyMemory<byte> SigningPublicKey => Identity.SigningPublicKey;

    public byte[] Sign(ReadOnlySpan<byte> data) => Identity.Sign(data);

    public void Dispose() => Identity.Dispose();
}
