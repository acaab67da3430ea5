namespace Fornax.Portal;

/// <summary>Arithmetic on site paths (<c>cloud/east/shop-12</c>): ancestry, the lowest common ancestor, hops between two sites.</summary>
public static class TreePaths
{
    /// <summary>Whether <paramref name="path"/> is <paramref name="ancestor"/> or a site below it.</summary>
    public static bool IsAtOrUnder(string path, string ancestor) =>
        path == ancestor || (path.Length > ancestor.Length && path.StartsWith(ancestor, StringComparison.Ordinal) && path[ancestor.Length] == '/');

    /// <summary>The deepest site both paths are at or under; empty when they are in different trees.</summary>
    public static string CommonAncestor(string a, string b)
    {
        // Walks both paths segment by segment without splitting them: this runs for every candidate of every request.
        var shared = 0;
        var at = 0;
        while (at <= a.Length && at <= b.Length)
        {
            var aEnd = a.IndexOf('/', at) is var i and >= 0 ? i : a.Length;
            var bEnd = b.IndexOf('/', at) is var j and >= 0 ? j : b.Length;
            if (aEnd != bEnd || !a.AsSpan(at, aEnd - at).SequenceEqual(b.AsSpan(at, bEnd - at)))
            {
                break;
            }

            shared = aEnd;
            at = aEnd + 1;
        }

        return shared == a.Length ? a : a[..shared];
    }

    /// <summary>Links between two sites along the tree (up to the common ancestor, then down); -1 across trees.</summary>
    public static int Hops(string a, string b)
    {
        var ancestor = CommonAncestor(a, b);
        if (ancestor.Length == 0)
        {
            return -1;
        }

        return Depth(a) + Depth(b) - (2 * Depth(ancestor));
    }

    private static int Depth(string path) => path.AsSpan().Count('/');
}
