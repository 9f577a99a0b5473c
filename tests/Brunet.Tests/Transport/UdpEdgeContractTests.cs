namespace Brunet.Tests.Transport;

public sealed class UdpEdgeContractTests : EdgeContractTests<UdpListenerPairFactory>;
