using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Cli.Manifests;

/// <summary>One object read from a file, with the folder its relative paths (such as <c>spec.module</c>) start from.</summary>
public sealed record Manifest(FornaxObject Object, string Source, string BaseDirectory);

/// <summary>
/// Reads the <c>-f</c> inputs of <c>apply</c> and <c>delete</c>: files, folders (<c>*.yaml</c>, <c>*.yml</c>,
/// <c>*.json</c> in name order; <c>-R</c> descends) and <c>-</c> for standard input. Every document is parsed
/// (and, for apply, validated) before the caller sends anything, and every problem in every file is reported.
/// </summary>
public sealed class ManifestReader(CliContext context)
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public IReadOnlyList<Manifest> Read(IReadOnlyList<string> inputs, bool recursive, bool validate)
    {
        var manifests = new List<Manifest>();
        var failures = new List<string>();
        foreach (var (source, text, baseDirectory) in Files(inputs, recursive))
        {
            try
            {
                manifests.AddRange(ObjectSerializer.ParseDocuments(text, source, validate).Select(o => new Manifest(o, source, baseDirectory)));
            }
            catch (ObjectValidationException e)
            {
                failures.AddRange(e.Message.Split('\n').Select(l => l.Trim()));
            }
        }

        if (failures.Count > 0)
        {
            throw new CliException(failures[0].TrimEnd(':'), failures.Skip(1).ToList());
        }

        if (manifests.Count == 0)
        {
            throw new CliException($"no objects found in {string.Join(", ", inputs)}");
        }

        return manifests;
    }

    private IEnumerable<(string Source, string Text, string BaseDirectory)> Files(IReadOnlyList<string> inputs, bool recursive)
    {
        var stdinRead = false;
        foreach (var input in inputs)
        {
            if (input == "-")
            {
                if (stdinRead)
                {
                    throw new CliException("-f - (standard input) may be given only once");
                }

                stdinRead = true;
                yield return ("stdin", context.In.ReadToEnd(), context.CurrentDirectory);
                continue;
            }

            var path = Path.GetFullPath(input, context.CurrentDirectory);
            if (Directory.Exists(path))
            {
                var files = Directory
                    .EnumerateFiles(path, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    throw new CliException($"the folder {Display(path)} has no .yaml, .yml or .json files{(recursive ? "" : " (add -R to look in subfolders)")}");
                }

                foreach (var file in files)
                {
                    yield return (Display(file), File.ReadAllText(file), Path.GetDirectoryName(file)!);
                }
            }
            else if (File.Exists(path))
            {
                yield return (Display(path), File.ReadAllText(path), Path.GetDirectoryName(path)!);
            }
            else
            {
                throw new CliException($"the path \"{input}\" does not exist");
            }
        }
    }

    /// <summary>A path relative to the current directory when it is inside it: short, and what the user typed.</summary>
    private string Display(string path)
    {
        var relative = Path.GetRelativePath(context.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
