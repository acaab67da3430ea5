using System.Text;
using Fornax.Kv.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Engine;

public sealed class KeySemanticsTests
{
    [Fact]
    public async Task Scan_PagesThroughEveryKey_WithPatternAndType()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        for (var i = 0; i < 100; i++)
        {
            store.Set($"user:{i}", "x");
        }

        store.Do(tx => tx.SetAdd(B("user:set"), B("m")));
        var seen = new List<string>();
        var cursor = 0L;
        var calls = 0;
        do
        {
            var page = new List<byte[]>();
            cursor = store.Run(tx => tx.Scan(cursor, 10, "user:1*"u8, KvType.String, page));
            seen.AddRange(page.Select(Encoding.UTF8.GetString));
            calls++;

            // Keys removed and added mid-scan do not hide the ones present throughout.
            store.Do(tx => tx.Delete(B($"user:{50 + calls}")));
            store.Set($"new:{calls}", "y");
        }
        while (cursor != 0);

        var expected = Enumerable.Range(0, 100).Select(i => $"user:{i}").Where(k => k.StartsWith("user:1", StringComparison.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Distinct().Order(StringComparer.Ordinal));
        Assert.True(calls > 5);
    }

    [Fact]
    public async Task RandomKey_ReturnsALiveKey_OrNullWhenEmpty()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        Assert.Null(store.Run(tx => tx.RandomKey()));
        store.Set("a", "1");
        store.Set("b", "1");
        store.Do(tx => tx.Delete(B("a")));
        Assert.Equal("b", Encoding.UTF8.GetString(store.Run(tx => tx.RandomKey())!));
    }

    [Fact]
    public async Task Body_ThatThrowsAfterWrites_ChangesNothing()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Set("s", "keep");
        store.Do(tx => tx.SetAdd(B("set"), B("a")));
        store.Do(tx => tx.HashSet(B("h"), B("f"), B("1")));
        var before = store.Run(tx => tx.Version(B("s")));
        Assert.Throws<KvException>(() => store.Do(tx =>
        {
            tx.SetString(B("s"), B("lost"), null, false);
            tx.SetString(B("new"), B("lost"), null, false);
            tx.SetAdd(B("set"), B("b"));
            tx.SetRemove(B("set"), B("a"));
            tx.Delete(B("set"));
            tx.HashSet(B("h"), B("f"), B("2"));
            tx.HashIncrementBy(B("h"), B("g"), 1);
            tx.IncrementBy(B("set"), 1); // WRONGTYPE? no: "set" was deleted above, so this one makes a counter...
            tx.IncrementBy(B("s"), 1); // ...and this one fails: "lost" is not an integer
        }));
        Assert.Equal("keep", store.Get("s"));
        Assert.Null(store.Get("new"));
        Assert.Equal(["a"], store.Members("set"));
        Assert.Equal(["f=1"], store.Entries("h"));
        Assert.Equal(3, store.Count);
        Assert.Equal(before, store.Run(tx => tx.Version(B("s"))));
    }

    [Fact]
    public async Task KvException_InsideABody_LeavesTheTransactionUsable()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Set("text", "abc");
        var errors = store.Run(tx =>
        {
            var caught = 0;
            tx.SetString(B("a"), B("1"), null, false);
            try
            {
                tx.IncrementBy(B("text"), 1);
            }
            catch (KvException)
            {
                caught++;
            }

            tx.IncrementBy(B("a"), 1);
            return caught;
        });
        Assert.Equal(1, errors);
        Assert.Equal("2", store.Get("a"));
        Assert.Equal("abc", store.Get("text"));
    }

    [Fact]
    public async Task Version_ChangesOnWrite_AndForAnAbsentKeyWhenAKeyIsRemoved()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        var absent = store.Run(tx => tx.Version(B("k")));
        store.Set("k", "1");
        var v1 = store.Run(tx => tx.Version(B("k")));
        store.Set("k", "1");
        var v2 = store.Run(tx => tx.Version(B("k")));
        Assert.NotEqual(v1, v2);
        store.Set("other", "x");
        Assert.Equal(v2, store.Run(tx => tx.Version(B("k"))));
        store.Do(tx => tx.Delete(B("k")));
        Assert.NotEqual(absent, store.Run(tx => tx.Version(B("k"))));
    }

    [Fact]
    public async Task Copy_CopiesValueTypeAndExpiry()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        var now = Start.ToUnixTimeMilliseconds();
        store.Run(tx => tx.IncrementBy(B("n"), 41));
        store.Do(tx => tx.SetExpiry(B("n"), now + 5000));
        store.Do(tx => tx.SetAdd(B("s"), B("x")));
        store.Set("taken", "t");
        Assert.True(store.Run(tx => tx.Copy(B("n"), B("m"), false)));
        Assert.Equal(42, store.Run(tx => tx.IncrementBy(B("m"), 1)));
        Assert.Equal(now + 5000, store.Run(tx => tx.GetExpiry(B("m"))));
        Assert.Equal("41", store.Get("n"));
        Assert.False(store.Run(tx => tx.Copy(B("s"), B("taken"), false)));
        Assert.True(store.Run(tx => tx.Copy(B("s"), B("taken"), true)));
        Assert.Equal(["x"], store.Members("taken"));
        Assert.False(store.Run(tx => tx.Copy(B("missing"), B("z"), true)));
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("user:*:name", "user:12:name", true)]
    [InlineData("user:*:name", "user:12:age", false)]
    public void Glob_MatchesAsRedis(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(B(pattern), B(text)));
}
