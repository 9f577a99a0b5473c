namespace Brunet.Tests.Transport;

public sealed class UdpThreadsEdgeContractTests : EdgeContractTests<UdpThreadsListenerPairFactory>;
