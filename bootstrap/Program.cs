using System.CommandLine;
using System.Net.Sockets;
using Brunet.Bootstrap;
using Brunet.Config;
using Brunet.Security;

var configArgument = new Argument<string>("CONFIG")
{
    Description = "The node config (NodeConfig XML). Node 0 binds its ports; the others bind ephemeral ones.",
};
var countOption = new Option<int>("-n", "--nodes")
{
    Description = "How many overlay nodes to run in this process.",
    DefaultValueFactory = _ => 1,
};
var verboseOption = new Option<bool>("-v", "--verbose") { Description = "Log link changes (debug level)." };
var root = new RootCommand("Runs N Brunet overlay nodes in one process until SIGINT/SIGTERM, then leaves the ring cleanly.")
{
    configArgument,
    countOption,
    verboseOption,
};
root.SetAction(async (parse, _) =>
{
    string configPath = parse.GetValue(configArgument)!;
    int count = parse.GetValue(countOption);
    if (count is < 1 or > 10_000)
    {
        Console.Error.WriteLine($"run_bootstrap_node: -n: a node count from 1 to 10000, got {count}");
        return 2;
    }
    try
    {
        return await BootstrapProcess.RunAsync(configPath, count, parse.GetValue(verboseOption)).ConfigureAwait(false);
    }
    catch (ConfigException e)
    {
        Console.Error.WriteLine($"run_bootstrap_node: {e.Message}");
        return 2;
    }
    catch (KeyFileException e)
    {
        Console.Error.WriteLine($"run_bootstrap_node: {e.Message}");
        return 2;
    }
    catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
    {
        Console.Error.WriteLine($"run_bootstrap_node: {configPath}: NodeConfig/EdgeListeners: cannot bind: {e.Message}");
        return 2;
    }
});

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"run_bootstrap_node: {error.Message}");
    }
    return 2;
}
// Our own SIGINT/SIGTERM handling leaves the ring cleanly; the parser must not take those signals over.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
