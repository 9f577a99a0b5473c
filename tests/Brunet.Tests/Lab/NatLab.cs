using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Brunet.Tests.Lab;

/// <summary>
/// Drives tests/lab/nat/lab.sh and the processes inside its namespaces: overlay nodes (run_bootstrap_node), curl
/// against their control endpoints, and shell commands. HttpClient cannot enter a namespace, so every call runs
/// through `ip netns exec`. Dispose stops the nodes it started (SIGTERM, by process id) and tears the lab down.
/// </summary>
internal sealed class NatLab : IDisposable
{
    public const int NodePort = 40000;
    public const int ControlPort = 10000;

    private readonly Dictionary<string, (string Namespace, string Address, string Wan, string Kind)> _hosts = new(StringComparer.Ordinal);
    private readonly List<(string Host, Process Process)> _nodes = [];
    private readonly string _workDir;

    private NatLab(string name)
    {
        Name = name;
        _workDir = Path.Combine(Path.GetTempPath(), "brunet-lab-" + name);
        Directory.CreateDirectory(_workDir);
    }

    public string Name { get; }

    /// <summary>Ignores the test when not root, but fails it under CI, which must run these.</summary>
    public static void RequireRoot()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return;
        }
        const string Reason = "Needs root (CAP_NET_ADMIN) for network namespaces.";
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            Assert.Fail(Reason + " CI is set, so this must run.");
        }
        Assert.Ignore(Reason);
    }

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "tests", "lab", "nat", "lab.sh")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("tests/lab/nat/lab.sh not found above " + AppContext.BaseDirectory);
        }
    }

    private static string LabScript => Path.Combine(RepoRoot, "tests", "lab", "nat", "lab.sh");

    private static string NodeDll => Path.Combine(RepoRoot, "artifacts", "bin", "bootstrap", "release", "run_bootstrap_node.dll");

    /// <summary>Builds a lab with one NATted host per kind (h1, h2, ...), besides "inet" and "pub".</summary>
    public static NatLab Up(params string[] kinds)
    {
        var lab = new NatLab("t" + Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 3)).ToLowerInvariant());
        (int code, string output) = Run("bash", [LabScript, "up", lab.Name, .. kinds], TimeSpan.FromSeconds(30));
        if (code != 0)
        {
            lab.Dispose();
            Assert.Fail($"lab.sh up failed ({code}): {output}");
        }
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            if (f.Length == 5)
            {
                lab._hosts[f[0]] = (f[1], f[2], f[3], f[4]);
            }
        }
        return lab;
    }

    public string Namespace(string host) => _hosts[host].Namespace;

    /// <summary>The address peers on the internet reach a host at: its router's WAN, or its own for inet and pub.</summary>
    public string PublicAddress(string host) => _hosts[host].Wan == "-" ? _hosts[host].Address : _hosts[host].Wan;

    /// <summary>Runs a command inside a host's namespace; returns exit code and stdout+stderr.</summary>
    public (int Code, string Output) Exec(string host, params string[] command) =>
        Run("ip", ["netns", "exec", Namespace(host), .. command], TimeSpan.FromSeconds(30));

    public (int Code, string Output) Lab(params string[] arguments) =>
        Run("bash", [LabScript, .. arguments], TimeSpan.FromSeconds(30));

    /// <summary>Starts one overlay node in <paramref name="host"/>, joining through <paramref name="bootstrap"/> (an IP, port 40000).</summary>
    public void StartNode(string host, string bootstrap)
    {
        string config = Path.Combine(_workDir, host + ".config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <NodeConfig>
              <BrunetNamespace>NatLab</BrunetNamespace>
              <RemoteTAs>
                <Transport>brunet.udp://{bootstrap}:{NodePort}</Transport>
                <Transport>brunet.tcp://{bootstrap}:{NodePort}</Transport>
              </RemoteTAs>
              <EdgeListeners>
                <EdgeListener type="udp"><port>{NodePort}</port></EdgeListener>
                <EdgeListener type="tcp"><port>{NodePort}</port></EdgeListener>
              </EdgeListeners>
              <ControlEndpoint><Enabled>true</Enabled><Port>{ControlPort}</Port></ControlEndpoint>
              <Security><KeyPath>{host}.key</KeyPath></Security>
            </NodeConfig>
            """);
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "netns", "exec", Namespace(host), "dotnet", NodeDll, config, "-n", "1", "-v" })
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start)!;
        string log = Path.Combine(_workDir, host + ".log");
        _ = Task.Run(() => Drain(process.StandardOutput, log));
        _ = Task.Run(() => Drain(process.StandardError, log));
        _nodes.Add((host, process));
    }

    private static readonly Lock s_logGate = new();

    private static async Task Drain(StreamReader reader, string path)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (s_logGate)
            {
                File.AppendAllText(path, line + "\n");
            }
        }
    }

    public string NodeLog(string host)
    {
        lock (s_logGate)
        {
            string path = Path.Combine(_workDir, host + ".log");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }

    /// <summary>Stops a host's node with SIGTERM (it leaves the ring and removes its port mapping) and waits.</summary>
    public void StopNode(string host)
    {
        foreach ((string h, Process p) in _nodes.Where(n => n.Host == host).ToList())
        {
            if (!p.HasExited)
            {
                Run("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
                if (!p.WaitForExit(10_000))
                {
                    p.Kill();
                }
            }
            _nodes.Remove((h, p));
        }
    }

    /// <summary>curl against a host's control endpoint; null when it does not answer.</summary>
    public JsonElement? Api(string host, string pathAndQuery, bool post = false)
    {
        string url = $"http://127.0.0.1:{ControlPort}{pathAndQuery}";
        (int code, string output) = post
            ? Exec(host, "curl", "-s", "-m", "10", "-X", "POST", url)
            : Exec(host, "curl", "-s", "-m", "10", url);
        if (code != 0 || output.Length == 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(output);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Waits until a host's node answers /api/node; returns its overlay address.</summary>
    public string WaitForNode(string host, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Api(host, "/api/node") is { } node && node.TryGetProperty("address", out JsonElement address))
            {
                return address.GetString()!;
            }
            Thread.Sleep(200);
        }
        Assert.Fail($"node in {host} did not come up in {timeout}:\n{NodeLog(host)}");
        return "";
    }

    public static (int Code, string Output) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out: " + file + " " + string.Join(' ', arguments));
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        foreach ((string host, _) in _nodes.ToList())
        {
            StopNode(host);
        }
        Run("bash", [LabScript, "down", Name], TimeSpan.FromSeconds(30));
        if (Environment.GetEnvironmentVariable("BRUNET_LAB_KEEP_LOGS") is { Length: > 0 })
        {
            TestContext.Out.WriteLine($"node logs kept in {_workDir}");
            return;
        }
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
            // Leave the logs behind rather than fail a test in cleanup.
        }
    }
}
