using System.Text.Json.Nodes;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// A subtree moving into another tree (attachment): every site path at or under <see cref="From"/> becomes the
/// same path under <see cref="To"/> (<c>east/east-1</c> → <c>cloud/east/east-1</c>). Every site of the moving
/// subtree keeps one of these in <c>DATA/pki/move.json</c> from the moment it holds its new certificate until
/// its links run on the new tree's CA alone; while it exists the site also trusts its old tree's CA.
/// </summary>
public sealed class SiteMove
{
    public const string FileName = "move.json";

    private readonly SortedSet<string> _pending;

    public SiteMove(string from, string to, IEnumerable<string> pendingChildren)
    {
        if (!SiteCertificates.IsValidSitePath(from) || !SiteCertificates.IsValidSitePath(to))
        {
            throw new ArgumentException($"a move maps one site path to another, not \"{from}\" to \"{to}\"");
        }

        From = from;
        To = to;
        _pending = new SortedSet<string>(pendingChildren, StringComparer.Ordinal);
    }

    /// <summary>The old path of the subtree's top, e.g. <c>east</c>.</summary>
    public string From { get; }

    /// <summary>Its new path, e.g. <c>cloud/east</c>.</summary>
    public string To { get; }

    /// <summary>Direct children (names) that still hold a certificate of the old tree.</summary>
    public IReadOnlyList<string> PendingChildren
    {
        get
        {
            lock (_pending)
            {
                return [.. _pending];
            }
        }
    }

    /// <summary>The new path of an old path at or under <see cref="From"/>; null for any other path.</summary>
    public string? Rebase(string path) => IsAtOrUnder(path, From) ? To + path[From.Length..] : null;

    /// <summary>The old path of a new path at or under <see cref="To"/>; null for any other path.</summary>
    public string? Unrebase(string path) => IsAtOrUnder(path, To) ? From + path[To.Length..] : null;

    /// <summary>Loads <c>DATA/pki/move.json</c> (or another move file); null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read.</exception>
    public static SiteMove? TryLoad(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var doc = JsonNode.Parse(File.ReadAllText(file))!;
            var pending = (doc["pendingChildren"] as JsonArray ?? []).Select(n => n!.GetValue<string>());
            return new SiteMove(doc["from"]!.GetValue<string>(), doc["to"]!.GetValue<string>(), pending);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{file}: not a move record ({e.Message})", e);
        }
    }

    public void Save(string file)
    {
        JsonArray pending;
        lock (_pending)
        {
            pending = [.. _pending.Select(p => (JsonNode)p)];
        }

        PkiFiles.WriteAtomically(file, new JsonObject { ["from"] = From, ["to"] = To, ["pendingChildren"] = pending }.ToJsonString(), secret: false);
    }

    /// <summary>Removes a child from the pending set; true when it was there.</summary>
    internal bool MarkMoved(string child)
    {
        lock (_pending)
        {
            return _pending.Remove(child);
        }
    }

    internal bool HasPendingChildren
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count > 0;
            }
        }
    }

    internal static bool IsAtOrUnder(string path, string root) =>
        path == root || (path.Length > root.Length && path.StartsWith(root, StringComparison.Ordinal) && path[root.Length] == '/');
}
