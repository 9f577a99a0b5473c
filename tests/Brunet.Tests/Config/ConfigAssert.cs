using Brunet.Config;

namespace Brunet.Tests.Config;

internal static class ConfigAssert
{
    /// <summary>Asserts that <paramref name="code"/> throws a <see cref="ConfigException"/> and returns it.</summary>
    public static ConfigException Fails(Action code) =>
        Assert.Throws<ConfigException>(code) ?? throw new AssertionException("expected a ConfigException");
}
