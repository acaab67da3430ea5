using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Functions;
using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Functions;

/// <summary>
/// Keeps the runtime's functions equal to the site's <c>Function</c> objects: lists and watches them, loads each module
/// from the blob store (again when its spec changes), unloads it when the object goes, and writes <c>status</c>
/// (<c>Ready</c> or <c>Failed</c> with the reason). A function is addressed by name (<c>/fn/{name}</c>); when two
/// namespaces hold the same name, the one loaded first serves and the other is Failed until it goes.
/// </summary>
internal sealed partial class FunctionRegistry(
    IObjectStore store,
    IBlobStore blobs,
    SiteFunctionRuntime runtime,
    ILogger<FunctionRegistry> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DeployedFunction> _serving = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LatencyHistogram> _latency = new(StringComparer.Ordinal);

    // Touched only by the ExecuteAsync loop: every Function object, and the generation last tried per object.
    private readonly Dictionary<ObjectKey, StoredObject> _objects = [];
    private readonly Dictionary<ObjectKey, long> _tried = [];

    // One on-demand load at a time: a burst of spilled requests for the same function loads it once.
    private readonly SemaphoreSlim _onDemand = new(1, 1);

    /// <summary>The function serving under <paramref name="name"/>, or null when none is deployed here.</summary>
    public DeployedFunction? Find(string name) => _serving.GetValueOrDefault(name);

    /// <summary>
    /// Raised on the registry's loop when a function starts or stops serving here, before its status says so: the
    /// portal announces it at once, so a client that saw <c>Ready</c> finds this site in its own map.
    /// </summary>
    public event Action? ServingChanged;

    /// <summary>Every function serving here, by name.</summary>
    public IEnumerable<DeployedFunction> Serving => _serving.Values.OrderBy(f => f.Name, StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // A watch that falls behind resumes from its last version, or lists again once the history is compacted past it.
        store.FollowAsync("Function", (list, ct) => ResyncAsync(list.Items, ct), OnChangeAsync, stoppingToken, onGone: e => LogResync(e.Message));

    private async Task OnChangeAsync(WatchEvent change, CancellationToken ct)
    {
        if (change.Type == WatchEventType.Deleted)
        {
            await RemoveAsync(change.Object.Key, ct);
        }
        else
        {
            _objects[change.Object.Key] = change.Object;
            await TryDeployAsync(change.Object, ct);
        }
    }

    private async Task ResyncAsync(IReadOnlyList<StoredObject> items, CancellationToken ct)
    {
        var present = items.Select(i => i.Key).ToHashSet();
        foreach (var gone in _objects.Keys.Where(k => !present.Contains(k)).ToList())
        {
            await RemoveAsync(gone, ct);
        }

        foreach (var item in items)
        {
            _objects[item.Key] = item;
            await TryDeployAsync(item, ct);
        }
    }

    /// <summary>One object's failure (a store error writing its status) must not stop the others from deploying.</summary>
    private async Task TryDeployAsync(StoredObject stored, CancellationToken ct)
    {
        try
        {
            await DeployAsync(stored, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoadFailed(stored.Key.ToString(), e.Message);
        }
    }

    private async Task DeployAsync(StoredObject stored, CancellationToken ct)
    {
        var key = stored.Key;
        if (_tried.TryGetValue(key, out var generation) && generation == stored.Generation)
        {
            return; // A status write (ours) or a metadata change: the spec that was loaded or refused is unchanged.
        }

        _tried[key] = stored.Generation;
        // A function loaded on demand gives the name up to an object of this site's own.
        if (_serving.TryGetValue(key.Name, out var holder) && holder.Key != key && holder.OnDemandFrom is null)
        {
            await WriteStatusAsync(stored, "Failed", null, $"the name \"{key.Name}\" is already served by {holder.Key.Namespace}/{holder.Key.Name}; /fn/{{name}} addresses functions by name", ct);
            return;
        }

        var errors = new ValidationContext();
        Function function;
        try
        {
            function = ObjectSerializer.FromJson<Function>(stored.Object);
        }
        catch (ObjectValidationException e)
        {
            await WriteStatusAsync(stored, "Failed", null, e.Message, ct);
            return;
        }

        var definition = FunctionSpecs.ToDefinition(function, runtime.Options, errors);
        if (definition is null)
        {
            await WriteStatusAsync(stored, "Failed", null, string.Join("; ", errors.Errors), ct);
            return;
        }

        var digest = definition.Digest!;
        if (blobs.OpenRead(digest) is not { } stream)
        {
            // Delivered by a mission to a site that lacks the blob; an older version (if any) keeps serving.
            await WriteStatusAsync(stored, "Failed", digest, $"blob {digest} is not stored at this site", ct);
            return;
        }

        try
        {
            var loaded = await runtime.Get().LoadAsync(definition, () => stream, ct);
            var latency = _latency.GetOrAdd(key.Name, _ => new LatencyHistogram());
            _serving[key.Name] = new DeployedFunction(key, stored.Generation, loaded, FunctionSpecs.Methods(function), latency, FunctionSpecs.Policy(function), function.Spec.Scheduling?.OnDemand == true);
            ServingChanged?.Invoke();
            LogLoaded(key.ToString(), digest, stored.Generation);
            await WriteStatusAsync(stored, "Ready", digest, null, ct);
        }
        catch (Exception e) when (e is FunctionCompileException or ArgumentException or IOException)
        {
            LogLoadFailed(key.ToString(), e.Message);
            await WriteStatusAsync(stored, "Failed", digest, FunctionAdmissionCheck.OneLine(e is FunctionCompileException c ? c.Reason : e.Message), ct);
        }
    }

    /// <summary>
    /// Loads <paramref name="function"/>, a Function of the content of <paramref name="mission"/> (which does not select
    /// this site, so no object of it is stored here), to serve a spilled invocation: true when it serves now (loaded
    /// already, or loaded by this call). It stays loaded while the site runs, unless its own object arrives (which then
    /// serves) or the object of that name is deleted; no status is written, as there is no object here to hold one.
    /// </summary>
    public async Task<bool> LoadOnDemandAsync(Function function, OnDemandSource mission, CancellationToken ct)
    {
        var key = new ObjectKey("Function", function.Metadata.NamespaceOrDefault, function.Metadata.Name);
        await _onDemand.WaitAsync(ct);
        try
        {
            if (_serving.TryGetValue(key.Name, out var serving))
            {
                return serving.Key == key;
            }

            var errors = new ValidationContext();
            if (FunctionSpecs.ToDefinition(function, runtime.Options, errors) is not { } definition || blobs.OpenRead(definition.Digest!) is not { } stream)
            {
                LogOnDemandFailed(OnDemandName(key), mission.ToString(), errors.Count > 0 ? string.Join("; ", errors.Errors) : $"blob {function.Spec.Module} is not stored at this site");
                return false;
            }

            try
            {
                var loaded = await runtime.Get().LoadAsync(definition, () => stream, ct);
                var latency = _latency.GetOrAdd(key.Name, _ => new LatencyHistogram());
                _serving[key.Name] = new DeployedFunction(key, 0, loaded, FunctionSpecs.Methods(function), latency, FunctionSpecs.Policy(function), true) { OnDemandFrom = mission };
            }
            catch (Exception e) when (e is FunctionCompileException or ArgumentException or IOException)
            {
                LogOnDemandFailed(OnDemandName(key), mission.ToString(), FunctionAdmissionCheck.OneLine(e is FunctionCompileException c ? c.Reason : e.Message));
                return false;
            }
        }
        finally
        {
            _onDemand.Release();
        }

        ServingChanged?.Invoke();
        LogLoadedOnDemand(OnDemandName(key), function.Spec.Module!, mission.ToString());
        return true;
    }

    /// <summary>Unloads <paramref name="function"/>, loaded on demand, unless something else serves under its name by now.</summary>
    public void UnloadOnDemand(DeployedFunction function, string reason)
    {
        if (function.OnDemandFrom is null || !_serving.TryRemove(new(function.Name, function)))
        {
            return;
        }

        ServingChanged?.Invoke();
        runtime.Current?.Unload(function.Name);
        LogUnloadedOnDemand(OnDemandName(function.Key), reason);
    }

    private static string OnDemandName(ObjectKey key) => $"{key.Namespace}/{key.Name}";

    private async Task RemoveAsync(ObjectKey key, CancellationToken ct)
    {
        _objects.Remove(key);
        _tried.Remove(key);
        if (!_serving.TryGetValue(key.Name, out var holder) || holder.Key != key)
        {
            return;
        }

        _serving.TryRemove(new(key.Name, holder));
        ServingChanged?.Invoke();
        runtime.Current?.Unload(key.Name);
        LogUnloaded(key.ToString());

        // Another namespace's function of the same name was waiting for the name: it serves now.
        if (_objects.Values.FirstOrDefault(o => o.Key.Name == key.Name) is { } next)
        {
            _tried.Remove(next.Key);
            await TryDeployAsync(next, ct);
        }
    }

    private async Task WriteStatusAsync(StoredObject stored, string phase, string? digest, string? message, CancellationToken ct)
    {
        var status = new JsonObject { ["phase"] = phase };
        if (digest is not null)
        {
            status["digest"] = digest;
        }

        if (message is not null)
        {
            status["message"] = message;
        }

        if (JsonNode.DeepEquals(stored.Object["status"], status))
        {
            return;
        }

        try
        {
            await store.UpdateStatusAsync(stored.Key, status, ct: ct);
        }
        catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
        {
            // Deleted meanwhile; the watch brings the deletion next.
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Function {Function} loaded ({Digest}, generation {Generation})")]
    private partial void LogLoaded(string function, string digest, long generation);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Function {Function} unloaded: its object was deleted")]
    private partial void LogUnloaded(string function);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Function {Function} did not load: {Reason}")]
    private partial void LogLoadFailed(string function, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Function {Function} loaded on demand ({Digest}) from mission {Mission}, which does not select this site, to serve a spilled invocation; it stays loaded while the mission is unchanged")]
    private partial void LogLoadedOnDemand(string function, string digest, string mission);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Function {Function} of mission {Mission} could not be loaded on demand: {Reason}")]
    private partial void LogOnDemandFailed(string function, string mission, string reason);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Function {Function}, loaded on demand, unloaded: {Reason}")]
    private partial void LogUnloadedOnDemand(string function, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Function watch fell behind ({Reason}); listing again")]
    private partial void LogResync(string reason);
}
