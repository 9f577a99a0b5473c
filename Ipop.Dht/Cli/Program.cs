using System.CommandLine;
using System.Net.Sockets;
using Brunet.Config;
using Brunet.Security;
using Ipop.Dhcp.Config;
using Ipop.Dht.Tap;

namespace Ipop.Dht.Cli;

/// <summary>The <c>groupvpn</c> command (CONTRACT.md): run, start, stop, status, ca init, ca sign.</summary>
internal static class Program
{
    public const string DefaultEtc = "/etc/groupvpn";

    public static async Task<int> Main(string[] args)
    {
        TextWriter stdout = Console.Out;
        TextWriter stderr = Console.Error;
        RootCommand root = BuildCommands(stdout, stderr);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"groupvpn: {error.Message}").ConfigureAwait(false);
            }
            return 2;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (ConfigException e)
        {
            await stderr.WriteLineAsync($"groupvpn: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (KeyFileException e)
        {
            await stderr.WriteLineAsync($"groupvpn: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (TapException e)
        {
            await stderr.WriteLineAsync($"groupvpn: TAP device: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            await stderr.WriteLineAsync($"groupvpn: node.config: NodeConfig/EdgeListeners: cannot bind: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static RootCommand BuildCommands(TextWriter stdout, TextWriter stderr)
    {
        Option<string> Etc() => new("--etc")
        {
            Description = "The folder with node.config, ipop.config and dhcp.config.",
            DefaultValueFactory = _ => DefaultEtc,
        };
        var verbose = new Option<bool>("-v", "--verbose") { Description = "Log at debug level." };

        Option<string> runEtc = Etc();
        var runMtu = new Option<int?>("--mtu")
        {
            Description = "The virtual network's MTU (the TAP's, and DHCP option 26), 576-64000. Default 1200. A larger MTU cuts per-packet costs; "
                + "the encrypted datagrams then ride IP fragmentation on a 1500-byte path.",
        };
        runMtu.Validators.Add(result =>
        {
            if (result.GetValue(runMtu) is int value && (value < 576 || value > 64_000))
            {
                result.AddError($"--mtu must be 576-64000, got {value}.");
            }
        });
        var run = new Command("run", "Runs one GroupVPN node in the foreground until SIGINT/SIGTERM. Needs root (CAP_NET_ADMIN).") { runEtc, verbose, runMtu };
        run.SetAction((parse, _) => GroupVpnNode.RunAsync(parse.GetValue(runEtc)!, parse.GetValue(verbose), stdout, stderr, parse.GetValue(runMtu)));

        Option<string> startEtc = Etc();
        var start = new Command("start", "Runs the node in the background (DIR/groupvpn.pid, DIR/groupvpn.log).") { startEtc, verbose };
        start.SetAction((parse, _) => ServiceCommands.StartAsync(parse.GetValue(startEtc)!, parse.GetValue(verbose), stdout, stderr));

        Option<string> stopEtc = Etc();
        var stop = new Command("stop", "Stops the background node (SIGTERM to the PID in DIR/groupvpn.pid).") { stopEtc };
        stop.SetAction((parse, _) => ServiceCommands.StopAsync(parse.GetValue(stopEtc)!, stdout, stderr));

        Option<string> statusEtc = Etc();
        var status = new Command("status", "Prints the running node's address, virtual IP, neighbours and edges; exit 1 if not running.") { statusEtc };
        status.SetAction((parse, _) => ServiceCommands.StatusAsync(parse.GetValue(statusEtc)!, stdout, stderr));

        var initOut = new Option<string>("--out") { Description = "The folder for ca.key and ca.crt.", Required = true };
        var initName = new Option<string>("--name") { Description = "The group's name.", Required = true };
        var init = new Command("init", "Creates a group authority: CADIR/ca.key (0600) and CADIR/ca.crt.") { initOut, initName };
        init.SetAction(parse => CaCommands.Init(parse.GetValue(initOut)!, parse.GetValue(initName)!, stdout, stderr));

        var signCa = new Option<string>("--ca") { Description = "The authority's folder (ca.key, ca.crt).", Required = true };
        var signName = new Option<string>("--name") { Description = "The member's host name.", Required = true };
        var signOut = new Option<string>("--out") { Description = "The folder for node.key, node.crt and ca.crt.", Required = true };
        var sign = new Command("sign", "Creates a member's node key and a certificate signed by the authority; prints its node address.") { signCa, signName, signOut };
        sign.SetAction(parse => CaCommands.Sign(parse.GetValue(signCa)!, parse.GetValue(signName)!, parse.GetValue(signOut)!, stdout, stderr));

        var revokeCa = new Option<string>("--ca") { Description = "The authority's folder (ca.key, ca.crt, ca.crl).", Required = true };
        var revokeSerial = new Option<ulong[]>("--serial") { Description = "A member certificate's serial (printed by ca sign); repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var revoke = new Command("revoke", "Adds serials to the group's signed revocation list (CADIR/ca.crl); prints its DHT key and text to publish with bput.") { revokeCa, revokeSerial };
        revoke.SetAction(parse => CaCommands.Revoke(parse.GetValue(revokeCa)!, parse.GetValue(revokeSerial) ?? [], stdout, stderr));

        var ca = new Command("ca", "The group authority of a private GroupVPN.") { init, sign, revoke };
        return new RootCommand("GroupVPN: hosts anywhere join one private virtual subnet through a Brunet overlay, with no server.")
        {
            run,
            start,
            stop,
            status,
            ca,
        };
    }
}
