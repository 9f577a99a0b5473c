using System.Net;
using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>UDP listeners with dedicated receive and send threads (recvmmsg/sendmmsg on Linux), as groupvpn runs them.</summary>
public sealed class UdpThreadsListenerPairFactory : IEdgeListenerPairFactory
{
    private static readonly UdpEdgeListenerOptions s_options = new() { DedicatedThreads = true };

    public bool IsReliable => false;

    public bool PeerHearsClose => false;

    public (IEdgeListener Client, IEdgeListener Server) Create() =>
        (new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0), options: s_options),
            new UdpEdgeListener(new IPEndPoint(IPAddress.Loopback, 0), options: s_options));
}
