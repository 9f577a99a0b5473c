using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Brunet.Config;
using Brunet.Control;

namespace Ipop.Dht.Cli;

/// <summary>
/// <c>groupvpn start|stop|status --etc DIR</c>: <c>run</c> as a background service with DIR/groupvpn.pid and
/// DIR/groupvpn.log; status asks the running node's control endpoint (node.config's port on 127.0.0.1).
/// </summary>
internal static class ServiceCommands
{
    public const string PidFileName = "groupvpn.pid";
    public const string LogFileName = "groupvpn.log";

    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(20);

    public static async Task<int> StartAsync(string etc, bool verbose, TextWriter stdout, TextWriter stderr)
    {
        string pidFile = Path.Combine(etc, PidFileName);
        if (ReadRunningPid(pidFile) is { } running)
        {
            await stderr.WriteLineAsync($"groupvpn: already running (pid {running}, {pidFile})").ConfigureAwait(false);
            return 1;
        }
        // Check the configs here, so that a typo is reported to the user and not only to the log file.
        _ = NodeConfigLoader.Load(Path.Combine(etc, GroupVpnNode.NodeConfigName));
        _ = Dhcp.Config.IpopConfigLoader.Load(Path.Combine(etc, GroupVpnNode.IpopConfigName));
        _ = Dhcp.Config.DhcpConfigLoader.Load(Path.Combine(etc, GroupVpnNode.DhcpConfigName));
        if (!Capabilities.CanAdministerNetwork())
        {
            await stderr.WriteLineAsync("groupvpn: start needs root (CAP_NET_ADMIN) to create the TAP device").ConfigureAwait(false);
            return 2;
        }
        string log = Path.Combine(etc, LogFileName);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // setsid: the node outlives this command and the terminal; sh execs into it, so the PID is the node's.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid \"$@\" >>\"$GROUPVPN_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("groupvpn");
        foreach (string part in SelfCommand())
        {
            start.ArgumentList.Add(part);
        }
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--etc");
        start.ArgumentList.Add(Path.GetFullPath(etc));
        if (verbose)
        {
            start.ArgumentList.Add("--verbose");
        }
        start.Environment["GROUPVPN_LOG"] = log;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        int pid = process.Id;
        await File.WriteAllTextAsync(pidFile, pid.ToString(CultureInfo.InvariantCulture) + "\n").ConfigureAwait(false);
        // A node that fails at once (bad key, busy port) is reported now.
        await Task.Delay(TimeSpan.FromSeconds(1.5)).ConfigureAwait(false);
        if (process.HasExited)
        {
            File.Delete(pidFile);
            await stderr.WriteLineAsync($"groupvpn: the node exited with status {process.ExitCode}; see {log}").ConfigureAwait(false);
            return process.ExitCode == 0 ? 1 : process.ExitCode;
        }
        await stdout.WriteLineAsync($"groupvpn: started (pid {pid}); log {log}").ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> StopAsync(string etc, TextWriter stdout, TextWriter stderr)
    {
        string pidFile = Path.Combine(etc, PidFileName);
        if (ReadRunningPid(pidFile) is not { } pid)
        {
            if (File.Exists(pidFile))
            {
                File.Delete(pidFile);   // stale
            }
            await stderr.WriteLineAsync($"groupvpn: not running ({pidFile})").ConfigureAwait(false);
            return 1;
        }
        if (!ProcessSignals.Terminate(pid))
        {
            await stderr.WriteLineAsync($"groupvpn: cannot signal pid {pid}").ConfigureAwait(false);
            return 1;
        }
        var waited = Stopwatch.StartNew();
        while (ProcessSignals.IsAlive(pid) && waited.Elapsed < s_stopWait)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }
        if (ProcessSignals.IsAlive(pid))
        {
            await stderr.WriteLineAsync($"groupvpn: pid {pid} did not stop in {s_stopWait.TotalSeconds:0} s").ConfigureAwait(false);
            return 1;
        }
        File.Delete(pidFile);
        await stdout.WriteLineAsync($"groupvpn: stopped (pid {pid})").ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> StatusAsync(string etc, TextWriter stdout, TextWriter stderr)
    {
        NodeConfig config = NodeConfigLoader.Load(Path.Combine(etc, GroupVpnNode.NodeConfigName));
        string pidFile = Path.Combine(etc, PidFileName);
        int? pid = ReadRunningPid(pidFile);
        if (!config.ControlEndpoint.Enabled)
        {
            await stdout.WriteLineAsync(pid is { } p ? $"groupvpn: running (pid {p}); no control endpoint in node.config" : "groupvpn: not running").ConfigureAwait(false);
            return pid is null ? 1 : 0;
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{config.ControlEndpoint.Port}/"), Timeout = TimeSpan.FromSeconds(10) };
        StatusJson? status;
        try
        {
            status = await http.GetFromJsonAsync<StatusJson>("api/status", ControlEndpoint.Json).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"groupvpn: not running (no answer on 127.0.0.1:{config.ControlEndpoint.Port}: {e.Message})").ConfigureAwait(false);
            return 1;
        }
        catch (TaskCanceledException)
        {
            await stderr.WriteLineAsync($"groupvpn: not answering on 127.0.0.1:{config.ControlEndpoint.Port}").ConfigureAwait(false);
            return 1;
        }
        if (status is null)
        {
            await stderr.WriteLineAsync("groupvpn: empty answer from the control endpoint").ConfigureAwait(false);
            return 1;
        }
        string? Extra(string name) => status.Extra?.GetValueOrDefault(name);
        await stdout.WriteLineAsync($"groupvpn: running{(pid is { } running ? $" (pid {running})" : "")}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Node: {status.Address}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Namespace: {status.Namespace}{(Extra("group") is { } group ? $", group {group}" : ", open")}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Virtual IP: {status.VirtualIp ?? "(none yet)"}"
            + (Extra("lease_remaining_s") is { } left ? $", lease {left} s left" : "")
            + (Extra("host_name") is { } name ? $", name {name}" : "")).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Transport addresses (as peers see them first): {string.Join(' ', status.TransportAddresses)}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Ring size (estimated): {status.EstimatedSize}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Links: {status.Links.Count}").ConfigureAwait(false);
        foreach (StatusLinkJson link in status.Links.OrderBy(l => l.Type, StringComparer.Ordinal))
        {
            string rtt = link.RttMs is { } ms ? $"{ms:F2} ms" : "no answer";
            await stdout.WriteLineAsync($"  {link.Type,-16} {link.Kind,-5} {rtt,10}  {link.Address} {link.Remote}").ConfigureAwait(false);
        }
        await stdout.WriteLineAsync($"Edges: {string.Join(", ", status.Edges.Select(e => $"{e.Value} {e.Key}"))}; secure sessions {status.SecurityAssociations}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"DHT records held: {status.DhtRecords?.ToString(CultureInfo.InvariantCulture) ?? "(no DHT)"}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>The PID in the pid file if that process is alive.</summary>
    private static int? ReadRunningPid(string pidFile)
    {
        string text;
        try
        {
            text = File.ReadAllText(pidFile).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 1 && ProcessSignals.IsAlive(pid) ? pid : null;
    }

    /// <summary>How to run this program again: the apphost, or dotnet with this assembly.</summary>
    private static List<string> SelfCommand()
    {
        string host = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(ServiceCommands).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, assembly] : [host];
    }
}
