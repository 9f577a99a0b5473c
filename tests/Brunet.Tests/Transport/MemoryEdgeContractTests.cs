namespace Brunet.Tests.Transport;

public sealed class MemoryEdgeContractTests : EdgeContractTests<MemoryListenerPairFactory>;
