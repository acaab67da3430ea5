using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// State under <c>DATA/links/</c> that a site derives and can rebuild (the parent bookmark, the spec-change index, the
/// missions held back): written as durably as the objects (<see cref="PkiFiles.WriteAtomically"/>: fsync of the file and
/// of its folder), and read tolerantly. A power cut before this rule, or a disk that lies, can still leave one empty,
/// truncated or garbage: that file is then rebuilt, with one log line naming it, and never stops the site.
/// </summary>
internal static partial class ResumeFile
{
    /// <summary>Writes <paramref name="contents"/> to <paramref name="file"/> atomically and durably.</summary>
    public static void Write(string file, JsonNode contents) => PkiFiles.WriteAtomically(file, contents.ToJsonString(), secret: false);

    /// <summary>
    /// <paramref name="file"/> parsed by <paramref name="parse"/>; <c>default</c> when there is none, and also when it is
    /// torn, after logging that it is and <paramref name="rebuild"/> (what the site does instead).
    /// </summary>
    public static T? Read<T>(string file, Func<JsonNode, T> parse, ILogger? logger, string rebuild)
    {
        if (!File.Exists(file))
        {
            return default;
        }

        try
        {
            return parse(JsonNode.Parse(File.ReadAllText(file)) ?? throw new FormatException("it holds JSON null"));
        }
        catch (Exception e) when (IsTorn(e))
        {
            if (logger is not null)
            {
                LogTorn(logger, file, e.Message, rebuild);
            }

            return default;
        }
    }

    /// <summary>What reading a torn file throws: bad JSON, a missing or mistyped field, bad protobuf JSON.</summary>
    internal static bool IsTorn(Exception e) => e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException
        or FormatException or KeyNotFoundException or ArgumentException or Google.Protobuf.InvalidProtocolBufferException;

    [LoggerMessage(EventId = 330, Level = LogLevel.Warning, Message = "{File} is unreadable ({Problem}): {Rebuild}")]
    private static partial void LogTorn(ILogger logger, string file, string problem, string rebuild);
}
