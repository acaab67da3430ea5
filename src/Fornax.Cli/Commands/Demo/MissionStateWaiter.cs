using System.Text.Json.Nodes;
using Fornax.Cli.Api;
using Fornax.Core.Objects;

namespace Fornax.Cli.Commands.Demo;

/// <summary>
/// Waits until each named mission's <c>status.state</c> has an entry for a site path: lists once, then watches
/// from the list's resource version (listing again on 410 Gone or when the site ends the stream).
/// </summary>
public static class MissionStateWaiter
{
    /// <summary>The state of each mission at <paramref name="sitePath"/>; throws <see cref="CliException"/> when the deadline passes first.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> WaitAsync(
        SiteClient client, string ns, IReadOnlyCollection<string> missions, string sitePath, TimeSpan deadline, TimeProvider time, CancellationToken ct)
    {
        var kind = Kinds.Get("Mission");
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            while (true)
            {
                var list = await client.ListAsync(kind, ns, linked.Token);
                foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    Observe(item, missions, sitePath, states);
                }

                if (states.Count == missions.Count)
                {
                    return states;
                }

                var version = list["metadata"]?["resourceVersion"] is JsonValue rv && long.TryParse(rv.ToString(), out var v) ? v : 0;
                try
                {
                    await foreach (var (_, obj) in client.WatchAsync(kind, ns, version, linked.Token))
                    {
                        Observe(obj, missions, sitePath, states);
                        if (states.Count == missions.Count)
                        {
                            return states;
                        }
                    }
                }
                catch (ApiException e) when (e.Code == 410)
                {
                    // Our version was compacted away: list again and watch from the new one.
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var waiting = missions.Where(m => !states.ContainsKey(m)).Order(StringComparer.Ordinal);
            throw new CliException($"no state for site {sitePath} within {deadline.TotalSeconds:0}s from mission(s) {string.Join(", ", waiting)}");
        }
    }

    private static void Observe(JsonObject mission, IReadOnlyCollection<string> missions, string sitePath, Dictionary<string, string> states)
    {
        var name = mission["metadata"]?["name"]?.GetValue<string>();
        if (name is not null && missions.Contains(name) && mission["status"]?["state"]?[sitePath]?.GetValue<string>() is { } state)
        {
            states[name] = state;
        }
    }
}
