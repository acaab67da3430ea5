namespace Fornax.Cli.Tests;

/// <summary>Where the repository is, found from the test binaries (tests read its examples and publish from it).</summary>
internal static class RepositoryFolders
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fornax.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Fornax.slnx above " + AppContext.BaseDirectory);
    }
}
