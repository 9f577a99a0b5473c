namespace Brunet.Tests.Config;

/// <summary>Finds files of the repository from the test's output folder by walking up to Brunet.sln.</summary>
internal static class RepositoryFiles
{
    public static string Root
    {
        get
        {
            for (DirectoryInfo? folder = new(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Brunet.sln")))
                {
                    return folder.FullName;
                }
            }
            throw new InvalidOperationException($"No Brunet.sln above {TestContext.CurrentContext.TestDirectory}.");
        }
    }

    public static string Configs => Path.Combine(Root, "configs");
}
