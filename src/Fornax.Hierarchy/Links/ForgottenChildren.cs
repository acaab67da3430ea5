using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Links;

/// <summary>One child an operator forgot at this site (<c>fornax site forget</c>).</summary>
/// <param name="Name">The child's site name.</param>
/// <param name="Path">Its path when it was forgotten, e.g. <c>cloud/east/east-1</c>.</param>
/// <param name="ForgottenAt">When; with the path it tells one forget from a later one of the same path.</param>
/// <param name="Readmitted">Fingerprints of certificates issued for the path by a join at this site after the forget.</param>
public sealed record ForgottenChild(string Name, string Path, DateTimeOffset ForgottenAt, IReadOnlyList<string> Readmitted)
{
    /// <summary>The path joined again after the forget: it is a live child again, with a new certificate.</summary>
    public bool IsReadmitted => Readmitted.Count > 0;

    public string ParentPath => Path[..Path.LastIndexOf('/')];

    /// <summary>The reason a link with one of its old certificates is refused, for the parent's log and the child's uplink.</summary>
    public string Refusal => $"site \"{Name}\" was forgotten at {ParentPath}; join again with a new token";
}

/// <summary>
/// The children forgotten at this site, kept in <c>DATA/links/forgotten.json</c> (written atomically and flushed to disk
/// before a forget is acknowledged). A forgotten child's certificates are refused on the link — not only the one it was
/// last seen with: a site may hold more than one (a renewal during a move, a second answer to a lost one) and a parent
/// sees only those that connect. So every certificate for the path is refused except the ones issued by a join at this
/// site after the forget (<see cref="Readmit"/>), which frees the name without trusting the old certificates again.
/// </summary>
public sealed class ForgottenChildren
{
    public const string FileName = "forgotten.json";

    private readonly string? _file;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ForgottenChild> _entries = new(StringComparer.Ordinal);

    private ForgottenChildren(string? file)
    {
        _file = file;
    }

    /// <summary>Every forget recorded here, readmitted paths included.</summary>
    public IReadOnlyList<ForgottenChild> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The forgets still in force: paths not joined again since.</summary>
    public IReadOnlyList<ForgottenChild> Standing => [.. All.Where(e => !e.IsReadmitted)];

    /// <summary>Loads <c>DATA/links/forgotten.json</c>, or starts empty when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read.</exception>
    public static ForgottenChildren Open(string dataDirectory)
    {
        var sites = new ForgottenChildren(System.IO.Path.Combine(dataDirectory, "links", FileName));
        if (File.Exists(sites._file))
        {
            sites.Load(sites._file);
        }

        return sites;
    }

    /// <summary>Kept in memory only (tests that drive the link engines by hand).</summary>
    public static ForgottenChildren InMemory() => new(null);

    /// <summary>The forget of exactly this path, or null.</summary>
    public ForgottenChild? Find(string path)
    {
        lock (_gate)
        {
            return _entries.GetValueOrDefault(path);
        }
    }

    /// <summary>Records a forget (replacing an earlier one of the same path, and its readmissions) and persists it.</summary>
    public ForgottenChild Record(string name, string path, DateTimeOffset at)
    {
        var entry = new ForgottenChild(name, path, at, []);
        lock (_gate)
        {
            _entries[path] = entry;
            Save();
        }

        return entry;
    }

    /// <summary>A join at this site issued a certificate for <paramref name="path"/>: accept it from now on. False when the path was not forgotten.</summary>
    public bool Readmit(string path, string fingerprint)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(path, out var entry))
            {
                return false;
            }

            _entries[path] = entry with { Readmitted = [.. entry.Readmitted, fingerprint] };
            Save();
            return true;
        }
    }

    /// <summary>
    /// Why a peer presenting a certificate for <paramref name="path"/> with <paramref name="fingerprint"/> is refused, or
    /// null. The forgotten child itself is let in only with a certificate from a later join; a site below it (which never
    /// links here directly, but could try) only once the child has joined again and so has a new subtree.
    /// </summary>
    public string? WhyRefused(string path, string? fingerprint)
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                if (entry.Path == path && (fingerprint is null || !entry.Readmitted.Contains(fingerprint, StringComparer.OrdinalIgnoreCase)))
                {
                    return entry.Refusal;
                }

                if (!entry.IsReadmitted && MissionStatus.IsUnder(path, entry.Path) && path != entry.Path)
                {
                    return $"site \"{path}\" is below {entry.Name}, which was forgotten at {entry.ParentPath}; {entry.Name} must join again with a new token first";
                }
            }
        }

        return null;
    }

    private void Load(string file)
    {
        var entries = JsonListFile.Read(file, "forgotten", "forgotten sites", "restore it, or delete it to trust their certificates again",
            node => new ForgottenChild(
                node["name"]!.GetValue<string>(),
                node["path"]!.GetValue<string>(),
                node["forgottenAt"]!.GetValue<DateTimeOffset>(),
                [.. (node["readmitted"] as JsonArray ?? []).Select(f => f!.GetValue<string>())]));
        foreach (var entry in entries)
        {
            _entries[entry.Path] = entry;
        }
    }

    /// <summary>Called under the gate. Flushed to disk before a forget is acknowledged: a crash must not trust the child again.</summary>
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        JsonListFile.Write(_file, "forgotten", _entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal).Select(entry => new JsonObject
        {
            ["name"] = entry.Name,
            ["path"] = entry.Path,
            ["forgottenAt"] = entry.ForgottenAt,
            ["readmitted"] = new JsonArray([.. entry.Readmitted.Select(f => (JsonNode)f)]),
        }));
    }
}
