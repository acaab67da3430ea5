using System.Text.Json.Nodes;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>One mission as the index knows it: its generation and the resourceVersion of its last spec change.</summary>
public sealed record MissionIndexEntry(string Namespace, string Name, long Generation, long SpecRv, bool Deleted);

/// <summary>
/// Which missions changed their <em>spec</em> (created, generation bumped, deleted) at which resourceVersion,
/// derived from the store's change log. Status-only writes (state roll-ups, <c>cluster offline</c> marks) move
/// the store's version but not this index, so a child that resumes from version R gets exactly the missions
/// whose spec changed after R: resync bytes grow with changes, not with objects. Persisted next to the store
/// (tombstones included) so a restarted parent still serves incremental resyncs.
/// </summary>
public sealed class MissionIndex
{
    private readonly IObjectStore _store;
    private readonly string _file;
    private readonly ILogger? _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Ns, string Name), MissionIndexEntry> _entries = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _rv;
    private long _floor;

    public MissionIndex(IObjectStore store, string dataDirectory, ILogger? logger = null)
    {
        _store = store;
        _logger = logger;
        _file = Path.Combine(dataDirectory, "links", "mission-index.json");
        Load();
    }

    /// <summary>The store version the index has caught up to.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _rv;
            }
        }
    }

    /// <summary>Versions at or below this cannot be resumed from (the index was rebuilt from a list); snapshot instead.</summary>
    public long Floor
    {
        get
        {
            lock (_gate)
            {
                return _floor;
            }
        }
    }

    /// <summary>Completes at the next change of the index.</summary>
    public Task WaitForChangeAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return _changed.Task.WaitAsync(ct);
        }
    }

    /// <summary>Missions whose spec changed after <paramref name="rv"/>, oldest change first, and the index version.</summary>
    public (IReadOnlyList<MissionIndexEntry> Changes, long ResourceVersion) ChangesSince(long rv)
    {
        lock (_gate)
        {
            return (_entries.Values.Where(e => e.SpecRv > rv).OrderBy(e => e.SpecRv).ToList(), _rv);
        }
    }

    /// <summary>Follows the store until cancelled; rebuilds from a list when the log was compacted past the index.</summary>
    public Task RunAsync(CancellationToken ct) =>
        _store.FollowAsync("Mission", (list, _) => Rebuild(list), (change, _) =>
        {
            Apply(change);
            return Task.CompletedTask;
        }, ct, resumeFrom: ResourceVersion);

    private Task Rebuild(ObjectList list)
    {
        lock (_gate)
        {
            var present = new HashSet<(string, string)>();
            foreach (var item in list.Items)
            {
                present.Add((item.Key.Namespace, item.Key.Name));
                _entries[(item.Key.Namespace, item.Key.Name)] = new(item.Key.Namespace, item.Key.Name, item.Generation, list.ResourceVersion, false);
            }

            foreach (var key in _entries.Keys.Where(k => !present.Contains(k)).ToList())
            {
                var e = _entries[key];
                _entries[key] = e with { Deleted = true, SpecRv = list.ResourceVersion };
            }

            _rv = list.ResourceVersion;
            _floor = list.ResourceVersion;
            SaveAndSignal();
        }

        return Task.CompletedTask;
    }

    private void Apply(WatchEvent change)
    {
        var key = (change.Object.Key.Namespace, change.Object.Key.Name);
        lock (_gate)
        {
            _rv = change.ResourceVersion;
            _entries.TryGetValue(key, out var known);
            MissionIndexEntry? next = change.Type switch
            {
                WatchEventType.Deleted => new(key.Namespace, key.Name, change.Object.Generation, change.ResourceVersion, true),
                _ when known is null || known.Deleted || known.Generation != change.Object.Generation =>
                    new(key.Namespace, key.Name, change.Object.Generation, change.ResourceVersion, false),
                _ => null,
            };
            if (next is not null)
            {
                _entries[key] = next;
                SaveAndSignal();
            }
        }
    }

    private void SaveAndSignal()
    {
        var entries = new JsonArray();
        foreach (var e in _entries.Values)
        {
            entries.Add((JsonNode)new JsonObject { ["ns"] = e.Namespace, ["name"] = e.Name, ["generation"] = e.Generation, ["specRv"] = e.SpecRv, ["deleted"] = e.Deleted });
        }

        var doc = new JsonObject { ["rv"] = _rv, ["floor"] = _floor, ["entries"] = entries };
        ResumeFile.Write(_file, doc);
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void Load()
    {
        // Torn, the index is rebuilt from the store (children then get one snapshot each).
        var loaded = ResumeFile.Read(_file, doc => (
            Rv: doc["rv"]!.GetValue<long>(),
            Floor: doc["floor"]?.GetValue<long>() ?? 0,
            Entries: doc["entries"]!.AsArray().Select(node => new MissionIndexEntry(node!["ns"]!.GetValue<string>(), node["name"]!.GetValue<string>(),
                node["generation"]!.GetValue<long>(), node["specRv"]!.GetValue<long>(), node["deleted"]!.GetValue<bool>())).ToList()),
            _logger, "rebuilding the mission index from the store");
        if (loaded.Entries is null || loaded.Rv > _store.ResourceVersion)
        {
            // None yet, torn, or the store was reset under it.
            return;
        }

        _rv = loaded.Rv;
        _floor = loaded.Floor;
        foreach (var e in loaded.Entries)
        {
            _entries[(e.Namespace, e.Name)] = e;
        }
    }
}
