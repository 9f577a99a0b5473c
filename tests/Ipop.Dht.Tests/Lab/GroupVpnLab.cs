using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ipop.Dht.Tests.Tap;

namespace Ipop.Dht.Tests.Lab;

/// <summary>
/// The namespace lab of the GroupVPN tests (tests/lab/gv-lab.sh): a bootstrap namespace and three host namespaces on
/// a bridge, configs written per host, processes started in them by PID and ended in teardown with the namespaces.
/// </summary>
public abstract partial class GroupVpnLab
{
    protected const int HostCount = 3;

    /// <summary>Each host's control endpoint (gv-lab.sh's node.config).</summary>
    protected const int HostControlPort = 10001;

    protected readonly List<LabProcess> _processes = [];
    protected string _root = "";
    protected string _suffix = "";
    protected string _dir = "";
    private bool _labUp;

    /// <summary>The temporary folder's name prefix.</summary>
    protected abstract string DirectoryPrefix { get; }

    /// <summary>Extra arguments of gv-lab.sh's <c>configs</c> (e.g. <c>private</c>).</summary>
    protected virtual string[] ConfigMode => [];

    [SetUp]
    public void SetUp()
    {
        RootRequirement.Require();
        foreach (string tool in new[] { "busybox", "ping" })
        {
            if (!ToolExists(tool))
            {
                if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                {
                    Assert.Fail($"{tool} is not installed (CI installs busybox and iputils-ping).");
                }
                Assert.Ignore($"{tool} is not installed.");
            }
        }
        _root = FindRepositoryRoot();
        Assert.That(File.Exists(GroupVpnDll), Is.True, $"{GroupVpnDll} is missing: build the solution (Release) first.");
        Assert.That(File.Exists(BootstrapDll), Is.True, $"{BootstrapDll} is missing: build the solution (Release) first.");
        _suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        _dir = Path.Combine(Path.GetTempPath(), DirectoryPrefix + _suffix);
        Directory.CreateDirectory(_dir);
        _labUp = true;
        BuildLab();
    }

    /// <summary>Makes the namespaces and writes the config folders (gv-lab.sh: one bridge, no NAT).</summary>
    protected virtual void BuildLab()
    {
        Lab("up");
        Lab("configs", [_dir, .. ConfigMode]);
    }

    /// <summary>Deletes what <see cref="BuildLab"/> made.</summary>
    protected virtual void DestroyLab() =>
        LabProcess.Run(s_command, "bash", LabScript, "down", _suffix, HostCount.ToString(CultureInfo.InvariantCulture));

    protected static readonly TimeSpan s_command = TimeSpan.FromSeconds(30);

    [TearDown]
    public void TearDown()
    {
        bool failed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed;
        string? keep = Environment.GetEnvironmentVariable("BRUNET_LAB_KEEP_LOGS") is { Length: > 0 }
            ? Directory.CreateTempSubdirectory(DirectoryPrefix + "logs-").FullName
            : null;
        foreach (LabProcess process in _processes)
        {
            if (keep is not null)
            {
                File.WriteAllText(Path.Combine(keep, $"{process.Name}-{process.Id}.log"), process.Output);
            }
            if (failed)
            {
                TestContext.Out.WriteLine($"----- {process.Name} (pid {process.Id}) -----");
                TestContext.Out.WriteLine(process.Output);
            }
            process.Dispose();
        }
        _processes.Clear();
        if (keep is not null)
        {
            TestContext.Out.WriteLine($"process logs kept in {keep}");
        }
        if (_labUp)
        {
            DestroyLab();
            _labUp = false;
        }
        if (_dir.Length > 0 && Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    protected string GroupVpnDll => Path.Combine(_root, "artifacts", "bin", "Ipop.Dht", "release", "groupvpn.dll");

    protected string BootstrapDll => Path.Combine(_root, "artifacts", "bin", "bootstrap", "release", "run_bootstrap_node.dll");

    protected string LabScript => Path.Combine(_root, "tests", "lab", "gv-lab.sh");

    /// <summary>Namespace names start with env GV_LAB_PREFIX (default "gv"), as gv-lab.sh's do.</summary>
    protected virtual string Namespace(string name) => $"{NamespacePrefix}-{name}-{_suffix}";

    private static string NamespacePrefix => Environment.GetEnvironmentVariable("GV_LAB_PREFIX") is { Length: > 0 } prefix ? prefix : "gv";

    protected bool HasConnection(int i, string peer) =>
        HttpGet($"h{i}", HostControlPort, "/api/linkstatus").Contains($"\"address\":\"{peer}\"", StringComparison.Ordinal);

    protected string HttpGet(string name, int port, string path)
    {
        (int exit, string output) = LabProcess.Run(s_command, "ip", "netns", "exec", Namespace(name), "bash",
            Path.Combine(_root, "tests", "lab", "http-get.sh"), port.ToString(CultureInfo.InvariantCulture), path);
        Assert.That(exit, Is.Zero, $"GET {path} in {name}: {output}");
        return output;
    }

    protected (int ExitCode, string Output) Exec(int host, string program, params string[] arguments) =>
        LabProcess.Run(s_command, "ip", ["netns", "exec", Namespace($"h{host}"), program, .. arguments]);

    protected LabProcess Spawn(string name, string netns, string program, params string[] arguments)
    {
        LabProcess process = LabProcess.Start(name, "ip", ["netns", "exec", netns, program, .. arguments]);
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts the bootstrap process (4 nodes) in the boot namespace and waits until every node joined.</summary>
    protected LabProcess StartBootstrap()
    {
        LabProcess boot = Spawn("boot", Namespace("boot"), "dotnet", BootstrapDll, Path.Combine(_dir, "boot", "boot.config"), "-n", "4");
        for (int i = 0; i < 4; i++)
        {
            Assert.That(boot.WaitForOutput($"node {i} joined", TimeSpan.FromSeconds(15)), Is.True, $"bootstrap node {i} did not join");
        }
        return boot;
    }

    /// <summary>Starts <c>groupvpn run</c> for host <paramref name="i"/> and waits for its TAP device.</summary>
    protected LabProcess StartGroupVpn(int i, string? name = null)
    {
        name ??= $"h{i}";
        var clock = Stopwatch.StartNew();
        LabProcess host = Spawn(name, Namespace($"h{i}"), "dotnet", GroupVpnDll, "run", "--etc", Path.Combine(_dir, $"h{i}"));
        while (Exec(i, "ip", "link", "show", "tapipop").ExitCode != 0)
        {
            Assert.That(host.HasExited, Is.False, $"{name} exited: {host.Output}");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), $"{name} made no TAP device");
            Thread.Sleep(50);
        }
        return host;
    }

    protected void Lab(string command, params string[] more)
    {
        (int exit, string output) = LabProcess.Run(s_command, "bash",
            [LabScript, command, _suffix, HostCount.ToString(CultureInfo.InvariantCulture), .. more]);
        Assert.That(exit, Is.Zero, $"gv-lab.sh {command}: {output}");
    }

    protected static bool ToolExists(string tool) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(folder => File.Exists(Path.Combine(folder, tool)));

    protected static string FindRepositoryRoot()
    {
        for (DirectoryInfo? folder = new(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Brunet.sln")))
            {
                return folder.FullName;
            }
        }
        Assert.Fail("Brunet.sln not found above " + TestContext.CurrentContext.TestDirectory);
        return "";
    }

    protected (IPAddress Address, double Seconds) StartHostAndLease(int i, string? name = null)
    {
        var clock = Stopwatch.StartNew();
        SpawnHost(i, name);
        return (Lease(i, clock), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Starts <c>groupvpn run</c> in host <paramref name="i"/>'s namespace.</summary>
    protected void SpawnHost(int i, string? name = null) =>
        Spawn(name ?? $"h{i}", Namespace($"h{i}"), "dotnet", GroupVpnDll, "run", "--etc", Path.Combine(_dir, $"h{i}"));

    /// <summary>Waits for host <paramref name="i"/>'s TAP device (20 s from <paramref name="clock"/>'s start), then takes a lease with udhcpc.</summary>
    protected IPAddress Lease(int i, Stopwatch clock)
    {
        while (Exec(i, "ip", "link", "show", "tapipop").ExitCode != 0)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), $"h{i} made no TAP device");
            Thread.Sleep(50);
        }
        string script = Path.Combine(_root, "tests", "lab", "udhcpc.script");
        (int exit, string output) = Exec(i, "busybox", "udhcpc", "-i", "tapipop", "-n", "-q", "-t", "10", "-T", "1", "-s", script);
        Assert.That(exit, Is.Zero, $"h{i}: udhcpc got no lease: {output}");
        Match lease = LeaseLine().Match(output);
        Assert.That(lease.Success, Is.True, $"h{i}: udhcpc printed no lease: {output}");
        return IPAddress.Parse(lease.Groups[1].Value);
    }

    protected string NodeAddressOf(int i)
    {
        string config = File.ReadAllText(Path.Combine(_dir, $"h{i}", "node.config"));
        Match match = NodeAddressElement().Match(config);
        Assert.That(match.Success, Is.True, $"h{i}'s node.config has no NodeAddress after its first run");
        return match.Groups[1].Value;
    }

    protected static int Received(string pingOutput)
    {
        Match match = ReceivedCount().Match(pingOutput);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"(\d+) received")]
    protected static partial Regex ReceivedCount();

    [GeneratedRegex(@"lease (\d+\.\d+\.\d+\.\d+)/")]
    protected static partial Regex LeaseLine();

    [GeneratedRegex(@"<NodeAddress>(brunet:node:[A-Z2-7]+)</NodeAddress>")]
    protected static partial Regex NodeAddressElement();
}
