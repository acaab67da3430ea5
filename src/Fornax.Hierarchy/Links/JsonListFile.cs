using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// A small durable record under <c>DATA/links/</c>: one JSON object holding one list (<c>{"children": [...]}</c>),
/// written whole, atomically and flushed before the write returns (<see cref="PkiFiles.WriteAtomically"/>). Used for the
/// children a parent has admitted (<see cref="KnownChildren"/>) and those it forgot (<see cref="ForgottenChildren"/>).
/// </summary>
internal static class JsonListFile
{
    /// <summary>
    /// The entries of <paramref name="file"/>'s list <paramref name="key"/>, each made by <paramref name="parse"/>. A file
    /// that is not such a list is an error naming the file, what it should hold and <paramref name="remedy"/>: it is never
    /// silently read as empty.
    /// </summary>
    public static List<T> Read<T>(string file, string key, string what, string remedy, Func<JsonNode, T> parse)
    {
        try
        {
            var doc = JsonNode.Parse(File.ReadAllText(file))!;
            return [.. (doc[key] as JsonArray ?? []).Select(node => parse(node!))];
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}: not a list of {what} ({e.Message}); {remedy}", e);
        }
    }

    /// <summary>Writes <paramref name="entries"/> as <paramref name="file"/>'s list <paramref name="key"/>.</summary>
    public static void Write(string file, string key, IEnumerable<JsonObject> entries) =>
        PkiFiles.WriteAtomically(file, new JsonObject { [key] = new JsonArray([.. entries]) }.ToJsonString(), secret: false);
}
