namespace Ipop.Dhcp.Tests.Config;

/// <summary>Finds files of the repository from the test's output folder by walking up to Brunet.sln.</summary>
internal static class RepositoryFiles
{
    public static string Configs
    {
        get
        {
            for (DirectoryInfo? folder = new(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Brunet.sln")))
                {
                    return Path.Combine(folder.FullName, "configs");
                }
            }
            throw new InvalidOperationException($"No Brunet.sln above {TestContext.CurrentContext.TestDirectory}.");
        }
    }
}
