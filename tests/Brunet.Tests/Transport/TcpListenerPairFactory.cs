using System.Net;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

public sealed class TcpListenerPairFactory : IEdgeListenerPairFactory
{
    public bool IsReliable => true;

    public bool PeerHearsClose => true;

    public (IEdgeListener Client, IEdgeListener Server) Create() =>
        (new TcpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0)), new TcpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0)));
}
