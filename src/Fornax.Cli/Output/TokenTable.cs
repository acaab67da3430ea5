using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Core.Columns;
using Spectre.Console;

namespace Fornax.Cli.Output;

/// <summary>The table of <c>fornax token list</c>, kubectl-style: ID, KIND, STATE, EXPIRES (from now), AGE, DESCRIPTION.</summary>
public static class TokenTable
{
    public static Table Build(IReadOnlyList<JsonObject> tokens, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var header in new[] { "ID", "KIND", "STATE", "EXPIRES", "AGE", "DESCRIPTION" })
        {
            table.AddColumn(new TableColumn(new Text(header)) { Padding = new Padding(0, 0, 3, 0), NoWrap = true });
        }

        foreach (var token in tokens)
        {
            table.AddRow(
                new Text(Text(token, "id")),
                new Text(Text(token, "kind")),
                new Text(Text(token, "state")),
                new Text(Time(token, "expiresAt") is { } expires ? (expires > now ? "in " + Ages.Format(expires - now) : "expired") : "never"),
                new Text(Ages.Since(Time(token, "createdAt"), now)),
                new Text(Text(token, "description") is { Length: > 0 } d ? d : "<none>"));
        }

        return table;
    }

    private static string Text(JsonObject token, string field) => token[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static DateTimeOffset? Time(JsonObject token, string field) =>
        DateTimeOffset.TryParse(Text(token, field), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
