using System.Net;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public sealed class UdpListenerPairFactory : IEdgeListenerPairFactory
{
    public bool IsReliable => false;

    public bool PeerHearsClose => false;

    public (IEdgeListener Client, IEdgeListener Server) Create() =>
        (new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0)), new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0)));
}
