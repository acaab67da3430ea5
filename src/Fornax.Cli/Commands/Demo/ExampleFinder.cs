namespace Fornax.Cli.Commands.Demo;

/// <summary>Finds <c>examples/missions</c>: up from the current directory, then up from where <c>fornax</c> is installed.</summary>
public static class ExampleFinder
{
    public const string Folder = "examples/missions";

    public static string? Find(params string[] startDirectories)
    {
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "missions");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
