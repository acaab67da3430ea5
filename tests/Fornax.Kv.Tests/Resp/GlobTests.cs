using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Fornax.Kv.Engine;

namespace Fornax.Kv.Tests.Resp;

public sealed class GlobTests
{
    /// <summary>Patterns of literals, '?' and '*' only, against the same pattern as a regular expression.</summary>
    [Fact]
    public void WildcardPatterns_AgreeWithRegex()
    {
        var letters = Gen.Int[0, 2].Select(i => "ab*?"[i]);
        var pattern = Gen.Int[0, 3].Select(i => "ab*?"[i]).Array[0, 8].Select(c => new string(c));
        var text = letters.Array[0, 10].Select(c => new string(c));
        Gen.Select(pattern, text).Sample((p, t) =>
        {
            var regex = "^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
            Assert.Equal(Regex.IsMatch(t, regex, RegexOptions.Singleline), Glob.IsMatch(Encoding.ASCII.GetBytes(p), Encoding.ASCII.GetBytes(t)));
        }, iter: 2000);
    }

    [Fact]
    public void PathologicalPattern_EndsQuickly()
    {
        var pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a*", 30)) + "b");
        var text = Encoding.ASCII.GetBytes(new string('a', 60));

        Assert.False(Glob.IsMatch(pattern, text));
    }
}
