using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Fornax.Cli.Tests.Release;

/// <summary>
/// The release build of <c>fornax</c> for a runtime (linux-x64, linux-arm64) that the release tests run: the folder
/// named by <c>FORNAX_X64_BUILD</c> / <c>FORNAX_ARM64_BUILD</c> if set, else <c>artifacts/smoke/RID-HASH</c>, published
/// once per change of the sources (HASH covers every file the build reads: src/, the props and build/), so repeated
/// runs reuse it. Published with the release profile (src/Fornax.Cli/Properties/PublishProfiles/release.pubxml,
/// Native AOT; linux-arm64 is cross-compiled, which needs clang, lld and Debian's arm64 libc6-dev and libgcc-12-dev:
/// .ci/setup/45-native-aot.sh): the tests run what ships.
/// </summary>
internal static class ReleaseBuild
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> ExecutableAsync(string runtime)
    {
        var variable = runtime == "linux-arm64" ? "FORNAX_ARM64_BUILD" : "FORNAX_X64_BUILD";
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given)
        {
            return Path.Combine(given, "fornax");
        }

        var root = RepositoryFolders.Root();
        var folder = Path.Combine(root, "artifacts", "smoke", runtime + "-" + InputHash(root));
        var executable = Path.Combine(folder, "fornax");
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(executable))
            {
                await PublishAsync(root, runtime, folder);
            }
        }
        finally
        {
            Gate.Release();
        }

        return executable;
    }

    private static async Task PublishAsync(string root, string runtime, string folder)
    {
        // Published beside the final folder and renamed into it: an interrupted publish is never taken for a build.
        var partial = folder + ".partial-" + Environment.ProcessId;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", Path.Combine(root, "src", "Fornax.Cli"), "-r", runtime, "-p:PublishProfile=release", "-o", partial, "--nologo" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish -r {runtime} failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }

        Directory.Move(partial, folder);
    }

    /// <summary>SHA-256 over the path and bytes of every build input, so any change to what is built publishes again.</summary>
    private static string InputHash(string root)
    {
        var inputs = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "build"), "*", SearchOption.AllDirectories))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }.Select(name => Path.Combine(root, name)).Where(File.Exists))
            .Select(path => Path.GetRelativePath(root, path))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var input in inputs)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(input + "\n"));
            hash.AppendData(File.ReadAllBytes(Path.Combine(root, input)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
