using System.Text.Json.Nodes;
using Spectre.Console;

namespace Fornax.Cli.Output;

/// <summary>
/// <c>fornax get services -o wide</c>: each service the site's portal knows, the sites serving it with their health, and the
/// route a request from the asked site takes now (from <c>/api/services</c>).
/// </summary>
public static class ServiceRoutesTable
{
    /// <summary>The table; only <paramref name="ns"/>'s services unless it is null (all namespaces).</summary>
    public static Table Build(JsonObject document, string? ns)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var header in new[] { "NAMESPACE", "NAME", "BACKENDS", "ROUTE" })
        {
            table.AddColumn(new TableColumn(new Text(header)) { Padding = new Padding(0, 0, 3, 0), NoWrap = true });
        }

        foreach (var service in (document["services"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var serviceNs = service["namespace"]?.GetValue<string>() ?? "";
            if (ns is not null && serviceNs != ns)
            {
                continue;
            }

            var backends = (service["backends"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(b => $"{b["site"]?.GetValue<string>()} ({(b["healthy"]?.GetValue<bool>() == true ? "healthy" : "offline")})");
            var route = (service["route"] as JsonArray ?? []).Select(r => r?.GetValue<string>()).ToList();
            table.AddRow(
                new Text(serviceNs),
                new Text(service["name"]?.GetValue<string>() ?? ""),
                new Text(string.Join(", ", backends)),
                new Text(route.Count == 0 ? "<no healthy backend>" : string.Join(" -> ", route)));
        }

        return table;
    }
}
