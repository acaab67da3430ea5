using System.Text.Json.Nodes;
using Fornax.Core.Columns;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Output;

/// <summary>
/// The kubectl-like table of <c>fornax get</c>: no borders, upper-case headers, NAME first and AGE last.
/// Columns per kind; <c>-o wide</c> adds detail; <c>-A</c> adds NAMESPACE in front.
/// </summary>
public static class ObjectTable
{
    /// <summary>The table for <paramref name="objects"/>; for Functions with <paramref name="wide"/>, counts from <paramref name="functionStats"/> (the site's <c>/api/functions/stats</c>, by name).</summary>
    public static Table Build(KindInfo kind, IReadOnlyList<FornaxObject> objects, bool wide, bool allNamespaces, DateTimeOffset now,
        IReadOnlyDictionary<string, JsonObject>? functionStats = null)
    {
        var (headers, rows) = ObjectColumns.For(kind, objects, wide, now, functionStats);

        if (allNamespaces)
        {
            headers = ["NAMESPACE", .. headers];
            rows = rows.Select((r, i) => (string[])[objects[i].Metadata.NamespaceOrDefault, .. r]).ToList();
        }

        var table = new Table().Border(TableBorder.None);
        foreach (var header in headers)
        {
            // Three spaces between columns and none at the edges, as kubectl prints them.
            table.AddColumn(new TableColumn(new Text(header)) { Padding = new Padding(0, 0, 3, 0), NoWrap = true });
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Text(cell)));
        }

        return table;
    }
}
