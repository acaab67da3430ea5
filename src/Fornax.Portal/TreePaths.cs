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
        var left = a.Split('/');
        var right = b.Split('/');
        var shared = 0;
        while (shared < left.Length && shared < right.Length && left[shared] == right[shared])
        {
            shared++;
        }

        return string.Join('/', left.Take(shared));
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

    private static int Depth(string path) => path.Count(c => c == '/');
}
