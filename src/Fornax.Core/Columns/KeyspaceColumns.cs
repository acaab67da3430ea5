using System.Globalization;
using Fornax.Core.Objects;

namespace Fornax.Core.Columns;

/// <summary>
/// Keyspaces as <c>fornax get keyspaces</c> shows them: one row per keyspace with the figures of the sites that hold it
/// (the most keys and bytes any holds, the pending changes summed and the largest lag); <c>wide</c>: one row per site,
/// with why the site holds it.
/// </summary>
internal static class KeyspaceColumns
{
    public static (string[] Headers, List<string[]> Rows) For(List<Keyspace> keyspaces, bool wide, DateTimeOffset now)
    {
        if (wide)
        {
            string[] headers = ["NAME", "PREFIX", "SITE", "ROLE", "KEYS", "BYTES", "LAG", "PENDING", "AGE", "REASON"];
            var rows = keyspaces.SelectMany(k =>
            {
                var sites = k.Status?.Sites;
                if (sites is null || sites.Count == 0)
                {
                    return [[k.Metadata.Name, k.Spec.Prefix ?? "", "-", "-", "-", "-", "-", "-", ObjectColumns.Age(k, now), "-"]];
                }

                return sites.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new[]
                {
                    k.Metadata.Name, k.Spec.Prefix ?? "", s.Key, s.Value.Replica ? "replica" : "relay",
                    s.Value.Keys.ToString(CultureInfo.InvariantCulture), Bytes(s.Value.Bytes), Lag(s.Value.LagSeconds),
                    s.Value.Pending.ToString(CultureInfo.InvariantCulture), ObjectColumns.Age(k, now), s.Value.Reason ?? "-",
                });
            }).ToList();
            return (headers, rows);
        }

        return (["NAME", "PREFIX", "SITES", "KEYS", "BYTES", "LAG", "PENDING", "AGE"], keyspaces.Select(k =>
        {
            var sites = k.Status?.Sites ?? [];
            return new[]
            {
                k.Metadata.Name, k.Spec.Prefix ?? "",
                sites.Values.Count(s => s.Replica).ToString(CultureInfo.InvariantCulture),
                sites.Count == 0 ? "-" : (k.Status?.Keys ?? 0).ToString(CultureInfo.InvariantCulture),
                sites.Count == 0 ? "-" : Bytes(k.Status?.Bytes ?? 0),
                sites.Count == 0 ? "-" : Lag(sites.Values.Max(s => s.LagSeconds)),
                sites.Count == 0 ? "-" : sites.Values.Sum(s => s.Pending).ToString(CultureInfo.InvariantCulture),
                ObjectColumns.Age(k, now),
            };
        }).ToList());
    }

    /// <summary>Whole seconds: the figures are sampled once a second.</summary>
    private static string Lag(double seconds) => ((long)seconds).ToString(CultureInfo.InvariantCulture) + "s";

    private static string Bytes(long bytes) => bytes switch
    {
        < 1 << 10 => bytes.ToString(CultureInfo.InvariantCulture) + "B",
        < 1 << 20 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + "KiB",
        _ => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + "MiB",
    };
}
