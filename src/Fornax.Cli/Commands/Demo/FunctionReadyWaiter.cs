using System.Text.Json.Nodes;
using Fornax.Cli.Api;
using Fornax.Core.Objects;

namespace Fornax.Cli.Commands.Demo;

/// <summary>
/// Waits until each named Function has been loaded or refused by the site (<c>status.phase</c> Ready or Failed): lists
/// once, then watches from the list's resource version (listing again on 410 Gone or when the site ends the stream).
/// </summary>
public static class FunctionReadyWaiter
{
    /// <summary>The phase and message of each function; throws <see cref="CliException"/> when the deadline passes first.</summary>
    public static async Task<IReadOnlyDictionary<string, (string Phase, string? Message)>> WaitAsync(
        SiteClient client, string ns, IReadOnlyCollection<string> functions, TimeSpan deadline, TimeProvider time, CancellationToken ct)
    {
        var kind = Kinds.Get("Function");
        var phases = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            while (true)
            {
                var list = await client.ListAsync(kind, ns, linked.Token);
                foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    Observe(item, functions, phases);
                }

                if (phases.Count == functions.Count)
                {
                    return phases;
                }

                var version = list["metadata"]?["resourceVersion"] is JsonValue rv && long.TryParse(rv.ToString(), out var v) ? v : 0;
                try
                {
                    await foreach (var (_, obj) in client.WatchAsync(kind, ns, version, linked.Token))
                    {
                        Observe(obj, functions, phases);
                        if (phases.Count == functions.Count)
                        {
                            return phases;
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
            var waiting = functions.Where(f => !phases.ContainsKey(f)).Order(StringComparer.Ordinal);
            throw new CliException($"function(s) {string.Join(", ", waiting)} not loaded by the site within {deadline.TotalSeconds:0}s");
        }
    }

    private static void Observe(JsonObject function, IReadOnlyCollection<string> functions, Dictionary<string, (string, string?)> phases)
    {
        var name = function["metadata"]?["name"]?.GetValue<string>();
        if (name is not null && functions.Contains(name) && function["status"]?["phase"]?.GetValue<string>() is "Ready" or "Failed")
        {
            phases[name] = (function["status"]!["phase"]!.GetValue<string>(), function["status"]?["message"]?.GetValue<string>());
        }
    }
}
