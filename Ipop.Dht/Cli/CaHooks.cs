namespace Ipop.Dht.Cli;

/// <summary>
/// The group authority commands (<c>groupvpn ca init|sign</c>), plugged in by the certificate code (CaCommands);
/// while unset the commands say they are not available. Arguments are as CaCommands.Init and CaCommands.Sign take them.
/// </summary>
internal static class CaHooks
{
    /// <summary>(outDir, groupName, stdout, stderr) -> exit code.</summary>
    public static Func<string, string, TextWriter, TextWriter, int>? Init { get; set; }

    /// <summary>(caDir, hostName, outDir, stdout, stderr) -> exit code.</summary>
    public static Func<string, string, string, TextWriter, TextWriter, int>? Sign { get; set; }
}
