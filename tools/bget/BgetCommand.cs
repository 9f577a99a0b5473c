using System.CommandLine;
using System.Globalization;
using System.CommandLine.Help;
using System.Net;
using Brunet.Control;

namespace Brunet.Tools.Bget;

/// <summary>
/// <c>bget KEY</c> and <c>bput KEY VALUE</c>: one assembly, two commands. The launchers pass the command as the first
/// argument (bin/bget passes <c>get</c>, bin/bput passes <c>put</c>), so a key named "put" is never mistaken for it.
/// Exit 0 success; 1 a negative answer (no value, refused, the DHT did not answer); 2 usage error or no usable node.
/// </summary>
internal static class BgetCommand
{
    public const int DefaultTtlSeconds = 3600;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0 && args[0] == "put")
        {
            return RunCommandAsync(PutCommand(stdout, stderr), args[1..], stdout, stderr, cancellationToken);
        }
        string[] rest = args.Length > 0 && args[0] == "get" ? args[1..] : args;
        return RunCommandAsync(GetCommand(stdout, stderr), rest, stdout, stderr, cancellationToken);
    }

    private static async Task<int> RunCommandAsync(Command command, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ParseResult parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"{command.Name}: {parse.Errors[0].Message} (see {command.Name} --help)");
            return 2;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
    }

    private static Option<string> NodeOption() => new("--node")
    {
        Description = "The control endpoint of a local node, HOST:PORT.",
        DefaultValueFactory = _ => ControlAddress.DefaultText,
        HelpName = "HOST:PORT",
    };

    private static Command GetCommand(TextWriter stdout, TextWriter stderr)
    {
        var key = new Argument<string>("KEY") { Description = "The DHT key." };
        var node = NodeOption();
        var command = new Command("bget",
            "Prints every live value stored under KEY in the DHT, one per line.\n" +
            "Exit status: 0 values printed; 1 no value stored under KEY, or the DHT did not answer; 2 usage error, no node listening at --node, or the node runs no DHT.")
        {
            key, node, new HelpOption(),
        };
        command.SetAction((parse, token) => GetAsync(parse.GetValue(key)!, parse.GetValue(node)!, stdout, stderr, token));
        return command;
    }

    private static Command PutCommand(TextWriter stdout, TextWriter stderr)
    {
        var key = new Argument<string>("KEY") { Description = "The DHT key." };
        var value = new Argument<string>("VALUE") { Description = "The value to store." };
        // A string, so that a bad value gets our one-line message rather than the parser's type name.
        var ttl = new Option<string>("--ttl")
        {
            Description = "How long the value lives, in seconds.",
            DefaultValueFactory = _ => DefaultTtlSeconds.ToString(CultureInfo.InvariantCulture),
            HelpName = "SECONDS",
        };
        var create = new Option<bool>("--create") { Description = "Fail (exit 1) if another value is already stored under KEY, naming who holds it." };
        var node = NodeOption();
        var command = new Command("bput",
            "Stores VALUE under KEY in the DHT.\n" +
            "Exit status: 0 stored; 1 refused (--create and another value is there) or the DHT did not answer; 2 usage error, no node listening at --node, or the node runs no DHT.")
        {
            key, value, ttl, create, node, new HelpOption(),
        };
        command.SetAction((parse, token) => PutAsync(
            parse.GetValue(key)!, parse.GetValue(value)!, parse.GetValue(ttl)!, parse.GetValue(create), parse.GetValue(node)!, stderr, token));
        return command;
    }

    private static async Task<int> GetAsync(string key, string nodeText, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!TryNode("bget", nodeText, stderr, out ControlAddress? node) || !CheckKey("bget", key, stderr))
        {
            return 2;
        }
        using var client = new DhtClient(node, s_timeout);
        try
        {
            IReadOnlyList<DhtValueJson> values = await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (values.Count == 0)
            {
                stderr.WriteLine($"bget: no value is stored under '{key}'");
                return 1;
            }
            foreach (DhtValueJson value in values)
            {
                stdout.WriteLine(value.Value);
            }
            return 0;
        }
        catch (Exception e) when (e is DhtException or ControlEndpointException)
        {
            return Fail("bget", node, key, e, stderr);
        }
    }

    private static async Task<int> PutAsync(
        string key, string value, string ttlText, bool create, string nodeText, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!TryNode("bput", nodeText, stderr, out ControlAddress? node) || !CheckKey("bput", key, stderr))
        {
            return 2;
        }
        if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out int ttl) || ttl <= 0)
        {
            stderr.WriteLine($"bput: --ttl: a positive whole number of seconds, got '{ttlText}'");
            return 2;
        }
        using var client = new DhtClient(node, s_timeout);
        try
        {
            DhtPutJson result = await client.PutAsync(key, value, ttl, create, cancellationToken).ConfigureAwait(false);
            if (result.Ok)
            {
                return 0;
            }
            string holders = result.HeldBy is { Count: > 0 } heldBy ? $"; held by {string.Join(", ", heldBy)}" : "";
            stderr.WriteLine($"bput: '{key}' was not stored: {result.Error ?? "another value is already stored there"}{holders}");
            return 1;
        }
        catch (Exception e) when (e is DhtException or ControlEndpointException)
        {
            return Fail("bput", node, key, e, stderr);
        }
    }

    private static int Fail(string tool, ControlAddress node, string key, Exception e, TextWriter stderr)
    {
        switch (e)
        {
            case DhtException { Status: HttpStatusCode.NotImplemented }:
                stderr.WriteLine($"{tool}: the node at {node} runs no DHT");
                return 2;
            case DhtException { Status: HttpStatusCode.BadRequest }:
                stderr.WriteLine($"{tool}: '{key}': {e.Message}");
                return 2;
            case DhtException { Status: HttpStatusCode.NotFound }:
                stderr.WriteLine($"{tool}: {node} is not a Brunet control endpoint (no /api/dht)");
                return 2;
            case DhtException:
                stderr.WriteLine($"{tool}: the DHT did not answer: {e.Message}");
                return 1;
            default:
                stderr.WriteLine($"{tool}: {e.Message}");
                return 2;
        }
    }

    private static bool TryNode(string tool, string text, TextWriter stderr, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ControlAddress? node)
    {
        if (ControlAddress.TryParse(text, out node, out string error))
        {
            return true;
        }
        stderr.WriteLine($"{tool}: --node: {error}");
        return false;
    }

    private static bool CheckKey(string tool, string key, TextWriter stderr)
    {
        if (key.Length > 0)
        {
            return true;
        }
        stderr.WriteLine($"{tool}: KEY: must not be empty");
        return false;
    }
}
