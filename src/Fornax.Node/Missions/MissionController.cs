using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Missions;

/// <summary>
/// Makes this site match its missions: delivers each selected mission's content into the store, runs its
/// command where allowed, removes content when the mission is deleted or stops selecting the site, and
/// writes this site's entry of <c>status.state</c>. The mission is the source of truth: a delivered object
/// changed or deleted locally is put back. Reconciling is idempotent, so its own writes settle.
/// </summary>
public sealed partial class MissionController(
    IObjectStore store,
    LocalSite site,
    NodeOptions options,
    CommandRunner commands,
    ILogger<MissionController> log) : BackgroundService
{
    /// <summary>Annotation on every delivered object: the <c>namespace/name</c> of the mission that owns it.</summary>
    public const string OwnerAnnotation = "fornax.io/mission";

    private readonly Channel<ObjectKey> _queue = Channel.CreateUnbounded<ObjectKey>(new() { SingleReader = true });

    // Missions waiting in the queue: a burst of changes to one mission reconciles it once.
    private readonly ConcurrentDictionary<ObjectKey, byte> _queued = new();

    // Per mission: the generation last reconciled here and the state this site wrote for itself then. A change that
    // leaves both alone is someone else's status write (the state roll-up from the subtree: at the root of a 1,000-site
    // tree, hundreds per mission), and reconciling on each listed the whole store every time.
    private readonly ConcurrentDictionary<ObjectKey, (long Generation, string State)> _settled = new();

    private readonly ContentIndex _content = new();

    private int _lists;

    /// <summary>How many times the controller listed the store: once at the start, again after each watch that fell too far behind.</summary>
    internal int Lists => Volatile.Read(ref _lists);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reactions come from the store (list, then watch; a watch that falls behind resumes or lists again), commands
        // run on their own queue: a reverse command of minutes must not hold up the watch, nor a command the reconciles.
        var following = store.FollowAsync(null, ResyncAsync, OnChangeAsync, stoppingToken, onGone: e => LogWatchFellBehind(e.Message));
        var running = RunCommandsAsync(stoppingToken);
        try
        {
            await foreach (var key in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                _queued.TryRemove(key, out _);
                try
                {
                    await ReconcileAsync(key, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReconcileFailed(key.ToString(), e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The site is stopping.
        }

        await following;
        await running;
    }

    /// <summary>Everything the store holds, at the start and after a watch fell too far behind: reconcile it all.</summary>
    private async Task ResyncAsync(ObjectList all, CancellationToken ct)
    {
        Interlocked.Increment(ref _lists);
        foreach (var item in all.Items)
        {
            _content.Set(item.Key, OwnerOf(item.Object));
        }

        var missions = all.Items.Where(i => i.Key.Kind == "Mission").Select(i => i.Key).ToHashSet();
        foreach (var gone in _settled.Keys.Where(k => !missions.Contains(k)).ToList())
        {
            _settled.TryRemove(gone, out _);
        }

        await RemoveOrphansAsync(all.Items, missions, ct);
        foreach (var key in missions)
        {
            Enqueue(key);
        }
    }

    private async Task OnChangeAsync(WatchEvent change, CancellationToken ct)
    {
        // A delivered object rewritten without its annotation (not through the API, which refuses that) is still its
        // mission's: the mission reconciles and puts its content back, so it never says Active over other content.
        if (change.Type != WatchEventType.Deleted && OwnerOf(change.Object.Object) is null && _content.OwnerOf(change.Object.Key) is { } previous)
        {
            Enqueue(previous);
        }

        _content.Set(change.Object.Key, change.Type == WatchEventType.Deleted ? null : OwnerOf(change.Object.Object));
        if (change.Object.Key.Kind == "Mission")
        {
            if (change.Type == WatchEventType.Deleted)
            {
                _settled.TryRemove(change.Object.Key, out _);
                await RetireAsync(change.Object, ct);
            }
            else if (!IsSettled(change.Object))
            {
                Enqueue(change.Object.Key);
            }
        }
        else if (OwnerOf(change.Object.Object) is { } owner)
        {
            // A delivered object changed or went: its mission puts its content back, unless only the object's status changed.
            if (change.Type == WatchEventType.Deleted || !_content.OnlyStatusChanged(change.Object))
            {
                Enqueue(owner);
            }
        }
    }

    private void Enqueue(ObjectKey key)
    {
        if (_queued.TryAdd(key, 0))
        {
            _queue.Writer.TryWrite(key);
        }
    }

    /// <summary>True when the mission's generation and this site's own state are what the last reconcile left.</summary>
    private bool IsSettled(StoredObject mission) =>
        _settled.TryGetValue(mission.Key, out var settled) && settled.Generation == mission.Generation
        && mission.Object["status"]?["state"]?[site.Path] is JsonValue own && own.TryGetValue<string>(out var state) && state == settled.State;

    private async Task ReconcileAsync(ObjectKey key, CancellationToken ct)
    {
        var stored = await store.GetAsync(key, ct);
        if (stored is null)
        {
            return;
        }

        var mission = ObjectSerializer.FromJson<Mission>(stored.Object);
        var selected = mission.Spec.Placement is not { } placement || placement.Selects(site.Name, site.Path, site.Labels);
        string state;
        // This site's own state is derived (the reconcile at every start writes it again from the mission and the
        // delivered content, both durable), so it is written relaxed, except where it records that a command ran for
        // this generation: lost, the command would run again.
        var durability = WriteDurability.Relaxed;
        if (!selected)
        {
            await RemoveContentAsync(key, keep: new HashSet<ObjectKey>(), ct);
            state = MissionStates.NotMatch;
        }
        else
        {
            state = await DeliverAsync(key, mission, ct);
            var previous = mission.Status?.State?.GetValueOrDefault(site.Path);
            if (state == MissionStates.Active && mission.Spec.Command is { } command)
            {
                var ranForThisGeneration = mission.Status?.ObservedGeneration == stored.Generation && previous is not null && previous != MissionStates.Pending;
                if (ranForThisGeneration)
                {
                    state = previous!;
                }
                else if (!options.AllowCommands)
                {
                    state = MissionStates.Failed("commands are not allowed at this site (allowCommands: false)");
                }
                else if (_commandsDone.TryGetValue(key, out var done) && done.Generation == stored.Generation)
                {
                    state = done.State;
                }
                else
                {
                    // Pending until its command has run on the command queue, which reconciles the mission again then.
                    QueueCommand(key, stored.Generation, command);
                    state = MissionStates.Pending;
                }

                // Pending is relaxed: lost, the command runs again, which is what Pending means.
                durability = state == MissionStates.Pending ? WriteDurability.Relaxed : WriteDurability.Durable;
            }
        }

        await WriteStateAsync(key, state, durability, ct);
    }

    private async Task<string> DeliverAsync(ObjectKey missionKey, Mission mission, CancellationToken ct)
    {
        var owner = $"{missionKey.Namespace}/{missionKey.Name}";
        var keep = new HashSet<ObjectKey>();
        foreach (var item in mission.Spec.Content ?? [])
        {
            var json = ObjectSerializer.ToJsonObject(item);
            var meta = (JsonObject)json["metadata"]!;
            meta["namespace"] ??= missionKey.Namespace;
            var annotations = meta["annotations"] as JsonObject ?? [];
            annotations[OwnerAnnotation] = owner;
            meta["annotations"] = annotations;
            var itemKey = new ObjectKey(item.Kind, meta["namespace"]!.GetValue<string>(), item.Metadata.Name);
            keep.Add(itemKey);
            try
            {
                var (_, outcome) = await store.ApplyAsync(json, ct);
                _content.Set(itemKey, missionKey);
                if (outcome != ApplyOutcome.Unchanged)
                {
                    LogDelivered(itemKey.ToString(), owner, outcome.ToString().ToLowerInvariant());
                }
            }
            catch (StoreException e)
            {
                return MissionStates.Failed($"could not deliver {itemKey}: {e.Message}");
            }
        }

        await RemoveContentAsync(missionKey, keep, ct);
        return MissionStates.Active;
    }

    private async Task RemoveContentAsync(ObjectKey missionKey, ISet<ObjectKey> keep, CancellationToken ct)
    {
        foreach (var key in _content.Owned(missionKey))
        {
            if (keep.Contains(key))
            {
                continue;
            }

            // The index may lag the store by a watch event: delete only what the mission still owns, as read now (a
            // later change fails the precondition, and its watch event reconciles the owner again).
            var item = await store.GetAsync(key, ct);
            if (item is null || OwnerOf(item.Object) != missionKey)
            {
                _content.Set(key, item is null ? null : OwnerOf(item.Object));
                continue;
            }

            await DeleteQuietlyAsync(key, ct, item.ResourceVersion);
        }
    }

    private async Task RemoveOrphansAsync(IReadOnlyList<StoredObject> items, HashSet<ObjectKey> missions, CancellationToken ct)
    {
        foreach (var item in items)
        {
            if (OwnerOf(item.Object) is { } owner && !missions.Contains(owner))
            {
                await DeleteQuietlyAsync(item.Key, ct);
            }
        }
    }

    private async Task DeleteQuietlyAsync(ObjectKey key, CancellationToken ct, long? expectedResourceVersion = null)
    {
        try
        {
            await store.DeleteAsync(key, expectedResourceVersion, ct);
            _content.Set(key, null);
            LogRemoved(key.ToString());
        }
        catch (StoreException e) when (e.Reason is StoreErrorReason.NotFound or StoreErrorReason.Conflict)
        {
        }
    }

    private async Task WriteStateAsync(ObjectKey key, string state, WriteDurability durability, CancellationToken ct)
    {
        var current = await store.GetAsync(key, ct);
        if (current is null)
        {
            return;
        }

        var status = current.Object["status"]?.DeepClone() as JsonObject ?? [];
        var states = status["state"] as JsonObject ?? [];
        var unchanged = states[site.Path]?.GetValue<string>() == state
            && status["observedGeneration"]?.GetValue<long>() == current.Generation;
        if (unchanged)
        {
            _settled[key] = (current.Generation, state);
            return;
        }

        states[site.Path] = state;
        status["state"] = states;
        status["observedGeneration"] = current.Generation;
        try
        {
            await store.UpdateStatusAsync(key, status, current.ResourceVersion, durability, ct);
            _settled[key] = (current.Generation, state);
            LogState(key.ToString(), site.Path, state);
        }
        catch (StoreException e) when (e.Reason == StoreErrorReason.Conflict)
        {
            // The mission changed under us; reconcile again.
            Enqueue(key);
        }
    }

    private static ObjectKey? OwnerOf(JsonObject obj)
    {
        var owner = obj["metadata"]?["annotations"]?[OwnerAnnotation]?.GetValue<string>();
        var slash = owner?.IndexOf('/') ?? -1;
        return slash > 0 ? new ObjectKey("Mission", owner![..slash], owner[(slash + 1)..]) : null;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Mission {Mission} at {SitePath}: {State}")]
    private partial void LogState(string mission, string sitePath, string state);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Delivered {Object} for mission {Mission} ({Outcome})")]
    private partial void LogDelivered(string @object, string mission, string outcome);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Removed {Object}: its mission no longer delivers it")]
    private partial void LogRemoved(string @object);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Mission {Mission} deleted; reverse command {Result}")]
    private partial void LogReverseCommand(string mission, string result);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Reconciling {Mission} failed")]
    private partial void LogReconcileFailed(string mission, Exception exception);
}
