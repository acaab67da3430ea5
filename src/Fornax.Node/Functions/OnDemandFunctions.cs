using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Portal;
using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Functions;

/// <summary>
/// On-demand deployment (<c>spec.scheduling.onDemand</c>, docs/functions.md "Spill-out"): a site that receives a spilled
/// invocation for a function it does not serve looks for it in the content of the missions it relays (every site stores
/// the missions of its subtree, and the blobs their Functions name, to pass them down), and loads it from there. Only a
/// Function that allows it is loaded, and not one a <c>Service</c> of the same mission restricts to some namespaces: a
/// site the mission does not select holds no such Service, so it could not apply that policy. A function loaded so
/// stays loaded (the next spill finds it ready) until its mission changes its spec or goes; the next spill then loads
/// what the mission carries by then.
/// </summary>
internal sealed partial class OnDemandFunctions(IObjectStore store, FunctionRegistry registry, ILogger<OnDemandFunctions> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        store.FollowAsync("Mission", OnListAsync, OnChangeAsync, stoppingToken);

    /// <summary>Every mission (at the start, or after the watch fell behind): unload what came from one gone or changed.</summary>
    private Task OnListAsync(ObjectList missions, CancellationToken ct)
    {
        var generations = missions.Items.ToDictionary(m => m.Key, m => m.Generation);
        foreach (var function in LoadedOnDemand())
        {
            Settle(function, generations.TryGetValue(function.OnDemandFrom!.Mission, out var generation) ? generation : null);
        }

        return Task.CompletedTask;
    }

    private Task OnChangeAsync(WatchEvent change, CancellationToken ct)
    {
        foreach (var function in LoadedOnDemand().Where(f => f.OnDemandFrom!.Mission == change.Object.Key))
        {
            Settle(function, change.Type == WatchEventType.Deleted ? null : change.Object.Generation);
        }

        return Task.CompletedTask;
    }

    /// <summary>Unloads <paramref name="function"/> when its mission is gone (<paramref name="generation"/> null) or its spec changed.</summary>
    private void Settle(DeployedFunction function, long? generation)
    {
        var from = function.OnDemandFrom!;
        if (generation != from.Generation)
        {
            registry.UnloadOnDemand(function, generation is null ? $"mission {from} is gone" : $"mission {from} changed");
        }
    }

    private List<DeployedFunction> LoadedOnDemand() => [.. registry.Serving.Where(f => f.OnDemandFrom is not null)];

    /// <summary>True when <paramref name="service"/> is a function serving here now, loaded by this call or before.</summary>
    public async Task<bool> TryLoadAsync(ServiceKey service, CancellationToken ct)
    {
        if (registry.Find(service.Name) is { } serving)
        {
            return serving.Key.Namespace == service.Namespace;
        }

        // Only on a spilled request for a function served nowhere here: rare enough that listing the missions is fine.
        foreach (var stored in (await store.ListAsync("Mission", null, ct)).Items)
        {
            if (Find(stored, service) is { } function)
            {
                return await registry.LoadOnDemandAsync(function, new OnDemandSource(stored.Key, stored.Generation), ct);
            }
        }

        LogNotOffered(service.ToString());
        return false;
    }

    private Function? Find(StoredObject stored, ServiceKey service)
    {
        Mission mission;
        try
        {
            mission = ObjectSerializer.FromJson<Mission>(stored.Object);
        }
        catch (ObjectValidationException)
        {
            return null; // Stored before a rule it breaks; its own site reports it.
        }

        var content = mission.Spec.Content ?? [];
        bool Matches(FornaxObject item) => item.Metadata.Name == service.Name && (item.Metadata.Namespace ?? stored.Key.Namespace) == service.Namespace;
        if (content.OfType<Function>().FirstOrDefault(Matches) is not { Spec.Scheduling.OnDemand: true } function)
        {
            return null;
        }

        if (content.OfType<Service>().FirstOrDefault(Matches) is { Spec.AllowedNamespaces: not null })
        {
            LogRestricted(service.ToString(), stored.Key.ToString());
            return null;
        }

        function.Metadata.Namespace ??= stored.Key.Namespace;
        return function;
    }

    [LoggerMessage(EventId = 206, Level = LogLevel.Debug, Message = "Spilled invocation of {Function}: no mission stored here offers it on demand")]
    private partial void LogNotOffered(string function);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Function {Function} of mission {Mission} is not loaded on demand: a Service of the mission restricts it to some namespaces (spec.allowedNamespaces), which this site cannot apply")]
    private partial void LogRestricted(string function, string mission);
}
