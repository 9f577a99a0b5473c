namespace Ipop.Dht.Tests.Tap;

/// <summary>Tests that need root skip with a reason, except under CI (the CI variable set), where they must run.</summary>
internal static class RootRequirement
{
    public const string Reason = "Needs root (CAP_NET_ADMIN) for TAP and network namespaces.";

    public static void Require()
    {
        bool usable = OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess && File.Exists("/dev/net/tun")
            && (File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip"));
        if (usable)
        {
            return;
        }
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(Reason + " CI is set, so this test may not be skipped.");
        }
        Assert.Ignore(Reason);
    }
}
