using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Links;

/// <summary>One child this site has admitted on its link.</summary>
/// <param name="Name">The child's site name.</param>
/// <param name="Path">Its path, e.g. <c>cloud/east/east-1</c>.</param>
/// <param name="Tier">Its tier as it last said Hello (for its <c>Site</c> object, should that be gone).</param>
/// <param name="Since">
/// When this site first knew it (admitted, or found from its <c>Site</c> object at a start): a time it was certainly heard
/// from, shown as its last heartbeat should its <c>Site</c> object be gone.
/// </param>
public sealed record KnownChild(string Name, string Path, string Tier, DateTimeOffset Since);

/// <summary>
/// Every child this site has admitted, kept in <c>DATA/links/children.json</c> (written atomically and flushed to disk),
/// so a restarted parent knows the children that have not reconnected yet and shows them offline instead of not at all
/// (docs/tree.md, "Offline, autonomy and reconciliation"). Written when a child is first admitted or its tier changes,
/// and when one is forgotten: a handful of writes in a child's life, never one per heartbeat or per connection.
/// </summary>
/// <remarks>
/// Not the <c>Site</c> objects alone: those are relaxed writes (an OS crash may lose the newest) and an operator may
/// delete one by hand, which changes what a site shows, not which children it has.
/// </remarks>
public sealed class KnownChildren
{
    public const string FileName = "children.json";

    private readonly string? _file;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KnownChild> _entries = new(StringComparer.Ordinal);

    private KnownChildren(string? file)
    {
        _file = file;
    }

    /// <summary>Every child recorded, by path.</summary>
    public IReadOnlyList<KnownChild> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Loads <c>DATA/links/children.json</c>, or starts empty when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read.</exception>
    public static KnownChildren Open(string dataDirectory)
    {
        var children = new KnownChildren(System.IO.Path.Combine(dataDirectory, "links", FileName));
        if (File.Exists(children._file))
        {
            children.Load(children._file);
        }

        return children;
    }

    /// <summary>Kept in memory only (tests that drive the link engines by hand).</summary>
    public static KnownChildren InMemory() => new(null);

    /// <summary>
    /// Records a child admitted at <paramref name="path"/>, unless it is recorded already with this tier. Returns whether
    /// the file was written.
    /// </summary>
    public bool Record(string name, string path, string tier, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(path, out var known) && known.Name == name && known.Tier == tier)
            {
                return false;
            }

            _entries[path] = new KnownChild(name, path, tier, known?.Since ?? at);
            Save();
            return true;
        }
    }

    /// <summary>Drops the children at these paths (forgotten, or no longer below this site). Returns whether any was recorded.</summary>
    public bool Remove(IEnumerable<string> paths)
    {
        lock (_gate)
        {
            var removed = paths.Count(_entries.Remove);
            if (removed > 0)
            {
                Save();
            }

            return removed > 0;
        }
    }

    private void Load(string file)
    {
        var entries = JsonListFile.Read(file, "children", "child sites", "restore it, or delete it (the children's Site objects are used instead)",
            node => new KnownChild(
                node["name"]!.GetValue<string>(),
                node["path"]!.GetValue<string>(),
                node["tier"]?.GetValue<string>() ?? "",
                node["since"]!.GetValue<DateTimeOffset>()));
        foreach (var entry in entries)
        {
            _entries[entry.Path] = entry;
        }
    }

    /// <summary>Called under the gate. Flushed to disk, so a child admitted once is known at every later start.</summary>
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        JsonListFile.Write(_file, "children", _entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal).Select(entry => new JsonObject
        {
            ["name"] = entry.Name,
            ["path"] = entry.Path,
            ["tier"] = entry.Tier,
            ["since"] = entry.Since,
        }));
    }
}
