namespace Brunet.Tools;

/// <summary>The control endpoint at --node cannot be used: nothing listens there, or it is not a Brunet node.</summary>
internal sealed class ControlEndpointException(string message, Exception? inner = null) : Exception(message, inner)
{
    public static ControlEndpointException NotListening(ControlAddress node, Exception? inner = null) =>
        new($"no node is listening at {node} (start one with bin/run_bootstrap_node)", inner);
}
