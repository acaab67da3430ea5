using System.Security.Cryptography;
using Fornax.Core.Objects;

namespace Fornax.Cli.Manifests;

/// <summary>
/// Resolves the <c>spec.module</c> of every Function (top-level, or carried in a Mission's <c>spec.content</c>):
/// a file path, relative to the file the object came from, is read and replaced by its blob digest
/// <c>sha256:&lt;hex&gt;</c>. A module already given as a digest is left alone.
/// </summary>
public static class FunctionModules
{
    public const string DigestPrefix = "sha256:";

    /// <summary>Rewrites the modules in place and returns the blobs to upload, by digest. Throws before anything is sent.</summary>
    public static IReadOnlyDictionary<string, byte[]> Resolve(IReadOnlyList<Manifest> manifests)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var manifest in manifests)
        {
            foreach (var (function, path) in Functions(manifest.Object, ""))
            {
                var module = function.Spec.Module;
                if (module is null || module.StartsWith(DigestPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var file = Path.GetFullPath(module, manifest.BaseDirectory);
                if (!File.Exists(file))
                {
                    problems.Add($"{manifest.Source}: Function \"{function.Metadata.Name}\": {path}spec.module: file \"{module}\" not found (looked for {file})");
                    continue;
                }

                var content = File.ReadAllBytes(file);
                var digest = Digest(content);
                blobs[digest] = content;
                function.Spec.Module = digest;
            }
        }

        if (problems.Count > 0)
        {
            throw new CliException(problems[0], problems.Skip(1).ToList());
        }

        return blobs;
    }

    /// <summary>The module digests an object names, after <see cref="Resolve"/>: its own, or those of the Functions a Mission carries.</summary>
    public static IEnumerable<string> DigestsOf(FornaxObject obj) =>
        Functions(obj, "").Select(f => f.Function.Spec.Module).OfType<string>().Distinct(StringComparer.Ordinal);

    public static string Digest(ReadOnlySpan<byte> content) => DigestPrefix + Convert.ToHexStringLower(SHA256.HashData(content));

    private static IEnumerable<(Function Function, string Path)> Functions(FornaxObject obj, string prefix)
    {
        switch (obj)
        {
            case Function function:
                yield return (function, prefix);
                break;
            case Mission mission:
                var content = mission.Spec.Content ?? [];
                for (var i = 0; i < content.Count; i++)
                {
                    foreach (var nested in Functions(content[i], $"{prefix}spec.content[{i}]."))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}
