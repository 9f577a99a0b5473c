using Brunet.Transport;

namespace Brunet.Tests.Transport;

/// <summary>Both ends of one edge and their recording handlers.</summary>
internal sealed record EdgePair(IEdge Client, RecordingHandler ClientHandler, IEdge Server, RecordingHandler ServerHandler);
