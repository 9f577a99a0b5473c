using System.Runtime.InteropServices;

namespace Ipop.Dht.Cli;

/// <summary>kill(2) for <c>groupvpn stop</c>: SIGTERM to the one PID in the pid file, and liveness checks.</summary>
internal static partial class ProcessSignals
{
    private const int SigTerm = 15;

    /// <summary>True when a process with <paramref name="pid"/> exists (and is not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Sends SIGTERM; false when the process is gone or not ours to signal.</summary>
    public static bool Terminate(int pid) => pid > 1 && Kill(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
