namespace Fornax.Kv.Engine;

/// <summary>Redis' glob (<c>stringmatchlen</c>): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a-z]</c>, <c>\x</c>; byte-wise.</summary>
public static class Glob
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        var exhausted = false;
        return Match(pattern, text, 0, ref exhausted);
    }

    /// <summary>
    /// <paramref name="exhausted"/> is set when a star tried every rest of the text and none matched: an outer star
    /// that skips more of the text cannot succeed either, so it stops too. Without that cut "a*a*a*…b" against "aaa…"
    /// backtracks exponentially (Redis' fix of CVE-2022-36021, <c>skipLongerMatches</c>).
    /// </summary>
    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, int depth, ref bool exhausted)
    {
        // Nested stars recurse; Redis bounds the depth the same way against patterns like "*a*a*a*...".
        if (depth > 1000)
        {
            return false;
        }

        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == '*')
                    {
                        p = p[1..];
                    }

                    if (p.Length == 1)
                    {
                        return true;
                    }

                    for (var i = 0; i < s.Length; i++)
                    {
                        if (Match(p[1..], s[i..], depth + 1, ref exhausted))
                        {
                            return true;
                        }

                        if (exhausted)
                        {
                            return false;
                        }
                    }

                    exhausted = true;
                    return false;
                case (byte)'?':
                    break;
                case (byte)'[':
                    if (!MatchClass(ref p, s[0]))
                    {
                        return false;
                    }

                    break;
                case (byte)'\\' when p.Length >= 2:
                    p = p[1..];
                    if (p[0] != s[0])
                    {
                        return false;
                    }

                    break;
                default:
                    if (p[0] != s[0])
                    {
                        return false;
                    }

                    break;
            }

            p = p[1..];
            s = s[1..];
        }

        while (p.Length > 0 && p[0] == '*')
        {
            p = p[1..];
        }

        return p.Length == 0 && s.Length == 0;
    }

    /// <summary>Matches one byte against a class starting at p[0] == '['; leaves p on the closing ']' (or the last byte).</summary>
    private static bool MatchClass(ref ReadOnlySpan<byte> p, byte c)
    {
        p = p[1..];
        var not = p.Length > 0 && p[0] == '^';
        if (not)
        {
            p = p[1..];
        }

        var match = false;
        while (true)
        {
            if (p.Length == 0)
            {
                p = " "u8; // unterminated class: Redis treats the end as closing it
                break;
            }

            if (p[0] == '\\' && p.Length >= 2)
            {
                p = p[1..];
                match |= p[0] == c;
            }
            else if (p[0] == ']')
            {
                break;
            }
            else if (p.Length >= 3 && p[1] == '-')
            {
                var (start, end) = p[0] <= p[2] ? (p[0], p[2]) : (p[2], p[0]);
                match |= c >= start && c <= end;
                p = p[2..];
            }
            else
            {
                match |= p[0] == c;
            }

            p = p[1..];
        }

        return not ? !match : match;
    }
}
