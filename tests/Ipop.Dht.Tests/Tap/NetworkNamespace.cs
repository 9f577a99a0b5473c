using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ipop.Dht.Tests.Tap;

/// <summary>
/// A network namespace made for one test (<c>ip netns add</c>) and deleted on dispose. <see cref="Run{T}"/> runs code
/// on a fresh thread that has entered the namespace with setns(2), so a TAP it opens is created there and stays there.
/// </summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private static int s_counter;

    public NetworkNamespace()
    {
        Name = $"ipoptest-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        Ip("netns", "add", Name);
    }

    public string Name { get; }

    /// <summary>Runs <c>ip ARGS</c> and returns its standard output; a non-zero exit fails the test.</summary>
    public static string Ip(params string[] arguments) => Run("ip", arguments);

    public static string Run(string program, params string[] arguments)
    {
        ProcessStartInfo start = new(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in 10 s");
        }
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', arguments)}: {error}");
        return output;
    }

    /// <summary>Runs <paramref name="body"/> on a new thread inside this namespace; the thread ends afterwards.</summary>
    public T Run<T>(Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        Thread thread = new(() =>
        {
            try
            {
                string rootNamespace = ReadNamespaceLink();
                using SafeFileHandle handle = File.OpenHandle("/run/netns/" + Name);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                }
                // Never create anything in the namespace we came from.
                if (ReadNamespaceLink() == rootNamespace)
                {
                    throw new InvalidOperationException($"setns into {Name} left the thread in {rootNamespace}");
                }
                result = body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("In namespace " + Name + ": " + failure.Message, failure);
        }
        return result;
    }

    public void Dispose()
    {
        try
        {
            Ip("netns", "del", Name);
        }
        catch (AssertionException e)
        {
            TestContext.Out.WriteLine($"Could not delete namespace {Name}: {e.Message}");
        }
    }

    private static string ReadNamespaceLink() =>
        new FileInfo("/proc/thread-self/ns/net").LinkTarget ?? throw new InvalidOperationException("no /proc/thread-self/ns/net link");

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int namespaceType);
}
