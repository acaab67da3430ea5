using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Cli.Configuration;

/// <summary>
/// The client config (kubeconfig-like) at <c>~/.fornax/config</c> or <c>$FORNAX_CONFIG</c>: the sites this user
/// talks to and which one is current. <c>fornax up</c> records its topology here too.
/// </summary>
public sealed class Config
{
    public const string EnvironmentVariable = "FORNAX_CONFIG";

    /// <summary>Where <c>--site</c> goes when neither it nor <see cref="CurrentSite"/> says.</summary>
    public const string DefaultSiteUrl = "http://127.0.0.1:7100";

    public string? CurrentSite { get; set; }

    public List<SiteEntry> Sites { get; set; } = [];

    public TopologyEntry? Topology { get; set; }

    /// <summary>The path of the config file: <c>$FORNAX_CONFIG</c>, else <c>~/.fornax/config</c>.</summary>
    public static string PathFor(Func<string, string?> environment, string homeDirectory) =>
        environment(EnvironmentVariable) is { Length: > 0 } path ? path : Path.Combine(homeDirectory, ".fornax", "config");

    public SiteEntry? FindSite(string name) => Sites.FirstOrDefault(s => s.Name == name);

    /// <summary>Adds the site or replaces the one of the same name.</summary>
    public void SetSite(SiteEntry site)
    {
        var index = Sites.FindIndex(s => s.Name == site.Name);
        if (index >= 0)
        {
            Sites[index] = site;
        }
        else
        {
            Sites.Add(site);
        }
    }

    /// <summary>Reads a config file; a missing file is an empty config. Throws <see cref="CliException"/> naming the file and field.</summary>
    public static Config Load(string path)
    {
        if (!File.Exists(path))
        {
            return new Config();
        }

        Config? config;
        try
        {
            var documents = YamlJson.Parse(File.ReadAllText(path), path);
            config = documents.Count == 0 ? new Config() : documents[0].Node.Deserialize(ConfigJson.Default.Config);
        }
        catch (ObjectValidationException e)
        {
            throw new CliException($"config file {path}: {e.Message}");
        }
        catch (JsonException e)
        {
            var field = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            throw new CliException($"config file {path}: {(field.Length == 0 ? "" : field + ": ")}{FirstSentence(e.Message)}");
        }

        config ??= new Config();
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new CliException($"config file {path}: {problems[0]}", problems.Skip(1).ToList());
        }

        return config;
    }

    /// <summary>
    /// Writes the config atomically: a temporary file beside it, then a rename, so a crash or a concurrent reader
    /// never sees half a file. The file may hold tokens, so only its owner may read it.
    /// </summary>
    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                using var writer = new StreamWriter(stream);
                writer.Write(ToYaml());
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public string ToYaml(bool redactSecrets = false)
    {
        var node = JsonSerializer.SerializeToNode(this, ConfigJson.Default.Config)!.AsObject();
        if (redactSecrets)
        {
            foreach (var site in node["sites"]?.AsArray() ?? [])
            {
                if (site?["token"] is not null)
                {
                    site["token"] = "REDACTED";
                }
            }
        }

        return YamlJson.ToYaml(node);
    }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var names = new HashSet<string>();
        for (var i = 0; i < Sites.Count; i++)
        {
            var site = Sites[i];
            if (string.IsNullOrWhiteSpace(site.Name))
            {
                problems.Add($"sites[{i}].name: required");
            }
            else if (!names.Add(site.Name))
            {
                problems.Add($"sites[{i}].name: \"{site.Name}\" appears twice");
            }

            if (!SiteTargets.IsUrl(site.Url))
            {
                problems.Add($"sites[{i}].url: \"{site.Url}\" is not an http:// or https:// URL");
            }
        }

        if (CurrentSite is { Length: > 0 } current && !names.Contains(current))
        {
            problems.Add($"currentSite: \"{current}\" is not one of the sites ({KnownNames()})");
        }

        return problems;
    }

    public string KnownNames() => Sites.Count == 0 ? "none" : string.Join(", ", Sites.Select(s => s.Name));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}

/// <summary>One site the user can talk to.</summary>
public sealed class SiteEntry
{
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";

    /// <summary>Sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; set; }

    /// <summary>PEM file of the CA that signed the site's certificate (the tree's CA).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM file with the client certificate and its private key, for mutual TLS.</summary>
    public string? ClientCert { get; set; }
}

/// <summary>The local topology <c>fornax up</c> started: what <c>fornax down</c> stops and <c>fornax link</c> finds links in.</summary>
public sealed class TopologyEntry
{
    public string? Name { get; set; }

    public string? DataDir { get; set; }

    /// <summary>The topology file it was started from.</summary>
    public string? File { get; set; }

    /// <summary>The heartbeat interval the sites were started with (<c>--heartbeat</c> or the file's); null = the sites' default.</summary>
    public string? Heartbeat { get; set; }

    /// <summary>The <c>currentSite</c> before <c>fornax up</c> made the root current; <c>fornax down</c> puts it back.</summary>
    public string? PreviousCurrentSite { get; set; }

    /// <summary>Every site, root first.</summary>
    public List<RunningSiteEntry> Sites { get; set; } = [];

    public RunningSiteEntry? FindSite(string name) => Sites.FirstOrDefault(s => s.Name == name);
}

/// <summary>One site process of a running topology.</summary>
public sealed class RunningSiteEntry
{
    public string Name { get; set; } = "";

    /// <summary>The parent's name; null at the root.</summary>
    public string? Parent { get; set; }

    public string? Tier { get; set; }

    public string Api { get; set; } = "";

    public string? Ingress { get; set; }

    /// <summary>The RESP (KV) port's URL, <c>redis://…</c>; reserved until the edge KV store serves it.</summary>
    public string? Resp { get; set; }

    public string? Link { get; set; }

    public int Pid { get; set; }

    /// <summary>When the process started, so a recycled pid is never taken for ours.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public string? DataDir { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(Config))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class ConfigJson : JsonSerializerContext;
