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
        var pattern = Gen.Int[0, 3].Select(i => "ab*?"[i]).Array[0, 12].Select(c => new string(c));
        var text = letters.Array[0, 14].Select(c => new string(c));
        Gen.Select(pattern, text).Sample((p, t) =>
        {
            var regex = "^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
            Assert.Equal(Regex.IsMatch(t, regex, RegexOptions.Singleline), Glob.IsMatch(Encoding.ASCII.GetBytes(p), Encoding.ASCII.GetBytes(t)));
        }, iter: 5000);
    }

    /// <summary>
    /// Regression: this backtracked exponentially (the test host sat at 100% CPU for good, and so would a site
    /// answering KEYS or SCAN MATCH with such a pattern). A generous deadline, so a return of the bug fails instead of
    /// hanging the run; it is not a timing assertion (the fixed match takes microseconds).
    /// </summary>
    [Theory]
    [InlineData(30, 60)]
    [InlineData(500, 2000)]
    public async Task PathologicalPattern_EndsQuickly(int stars, int length)
    {
        var pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a*", stars)) + "b");
        var text = Encoding.ASCII.GetBytes(new string('a', length));

        Assert.False(await Task.Run(() => Glob.IsMatch(pattern, text)).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(Glob.IsMatch(pattern, [.. text, (byte)'b']));
    }
}
