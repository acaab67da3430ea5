namespace Fornax.Node.Hosting;

/// <summary>
/// Everything one site process needs. Every field has a <c>fornax node run</c> flag and a key of the same
/// (camelCase) name in the site config file, so one site needs no file at all.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>The site's folder: objects, blobs, KV data. Deleting it resets the site.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The site's name, unique among its siblings.</summary>
    public string Name { get; init; } = "local";

    /// <summary><c>cloud</c>, <c>region</c> or <c>edge</c>; the root defaults to cloud.</summary>
    public string? Tier { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Address every listener binds to.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int ApiPort { get; init; }

    public int IngressPort { get; init; }

    public int RespPort { get; init; }

    /// <summary>Command missions run only where this is true (off by default).</summary>
    public bool AllowCommands { get; init; }

    /// <summary>Largest request body the API accepts; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest blob (e.g. Wasm module) the API accepts.</summary>
    public long MaxBlobBytes { get; init; } = 64 * 1024 * 1024;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The least severe log level written to the console.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
