namespace Brunet.Tests.Transport;

public sealed class TcpEdgeContractTests : EdgeContractTests<TcpListenerPairFactory>;
