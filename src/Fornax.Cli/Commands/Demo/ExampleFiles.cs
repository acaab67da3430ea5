namespace Fornax.Cli.Commands.Demo;

/// <summary>Finds a file of the repository's <c>examples/</c>: up from the current directory, then up from where <c>fornax</c> runs.</summary>
internal static class ExampleFiles
{
    public static string? Find(string relativePath, params string[] startDirectories)
    {
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
