using Fornax.Kv.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Engine;

public sealed class StringSemanticsTests
{
    [Fact]
    public async Task SetString_ThenGet_ReturnsLastValue()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        Assert.Null(store.Get("k"));
        store.Set("k", "one");
        store.Set("k", "two");
        Assert.Equal("two", store.Get("k"));
        Assert.Equal(KvType.String, store.Run(tx => tx.TypeOf(B("k"))));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task SetString_WithExpiry_VanishesWhenDue_AndKeepExpiryKeepsIt()
    {
        var (store, time) = InMemory();
        await using var _store = store;
        var now = Start.ToUnixTimeMilliseconds();
        store.Do(tx => tx.SetString(B("k"), B("v"), now + 1000, false));
        store.Do(tx => tx.SetString(B("k"), B("w"), null, keepExpiry: true));
        Assert.Equal(now + 1000, store.Run(tx => tx.GetExpiry(B("k"))));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal("w", store.Get("k"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(store.Get("k"));
        Assert.Equal(KvType.None, store.Run(tx => tx.TypeOf(B("k"))));
        Assert.Equal(0, store.Count); // the sweep (a timer on the injected clock) deleted it
    }

    [Fact]
    public async Task SetString_WithoutKeepExpiry_RemovesTheExpiry()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        var now = Start.ToUnixTimeMilliseconds();
        store.Do(tx => tx.SetString(B("k"), B("v"), now + 1000, false));
        store.Set("k", "w");
        Assert.Null(store.Run(tx => tx.GetExpiry(B("k"))));
    }

    [Fact]
    public async Task SetExpiry_InThePast_DeletesTheKey_AndNullPersists()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        var now = Start.ToUnixTimeMilliseconds();
        store.Set("a", "1");
        store.Set("b", "2");
        Assert.True(store.Run(tx => tx.SetExpiry(B("a"), now - 1)));
        Assert.Null(store.Get("a"));
        Assert.True(store.Run(tx => tx.SetExpiry(B("b"), now + 5000)));
        Assert.True(store.Run(tx => tx.SetExpiry(B("b"), null)));
        Assert.Null(store.Run(tx => tx.GetExpiry(B("b"))));
        Assert.False(store.Run(tx => tx.SetExpiry(B("missing"), now + 5000)));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task IncrementBy_CountsFromZero_AndFromANumericString()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        Assert.Equal(1, store.Run(tx => tx.IncrementBy(B("n"), 1)));
        Assert.Equal(-4, store.Run(tx => tx.IncrementBy(B("n"), -5)));
        Assert.Equal("-4", store.Get("n"));
        Assert.True(store.Run(tx => tx.IsCounter(B("n"))));
        store.Set("s", "10");
        Assert.False(store.Run(tx => tx.IsCounter(B("s"))));
        Assert.Equal(11, store.Run(tx => tx.IncrementBy(B("s"), 1)));
        Assert.Equal("11", store.Get("s"));
        store.Set("s", "abc");
        Assert.Equal("abc", store.Get("s"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("")]
    public async Task IncrementBy_NotAnInteger_RefusedAndUnchanged(string value)
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Set("k", value);
        var error = Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementBy(B("k"), 1)));
        Assert.Equal(KvException.NotInteger, error.Message);
        Assert.Equal(value, store.Get("k"));
    }

    [Fact]
    public async Task IncrementBy_Overflow_RefusedAndUnchanged()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Set("k", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var error = Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementBy(B("k"), 1)));
        Assert.Equal(KvException.Overflow, error.Message);
        Assert.Equal("-9223372036854775808", store.Run(tx => tx.IncrementBy(B("k2"), long.MinValue)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(KvException.Overflow, Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementBy(B("k2"), -1))).Message);
        Assert.Equal("-9223372036854775808", store.Get("k2"));
    }

    [Fact]
    public async Task IncrementByFloat_RendersAsRedis()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Set("f", "10.50");
        Assert.Equal(10.6, store.Run(tx => tx.IncrementByFloat(B("f"), 0.1)), 10);
        Assert.Equal("10.6", store.Get("f"));
        Assert.Equal(5000, store.Run(tx => tx.IncrementByFloat(B("g"), 5.0e3)));
        Assert.Equal("5000", store.Get("g"));
        Assert.Equal(5001, store.Run(tx => tx.IncrementBy(B("g"), 1)));
        Assert.Equal(KvException.NotInteger, Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementBy(B("f"), 1))).Message);
        store.Set("t", "text");
        Assert.Equal(KvException.NotFloat, Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementByFloat(B("t"), 1))).Message);
        store.Set("big", "1.7976931348623157e308");
        Assert.Equal(KvException.NaNOrInfinity, Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementByFloat(B("big"), 1.7976931348623157e308))).Message);
    }

    [Fact]
    public async Task WrongType_RefusedAndUnchanged()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Do(tx => tx.SetAdd(B("s"), B("m")));
        Assert.Equal(KvException.WrongType, Assert.Throws<KvException>(() => store.Get("s")).Message);
        Assert.Equal(KvException.WrongType, Assert.Throws<KvException>(() => store.Run(tx => tx.IncrementBy(B("s"), 1))).Message);
        Assert.Equal(KvException.WrongType, Assert.Throws<KvException>(() => store.Run(tx => tx.HashSet(B("s"), B("f"), B("v")))).Message);
        Assert.Equal(["m"], store.Members("s"));
        store.Set("s", "now a string"); // SET replaces whatever the key held, as in Redis
        Assert.Equal("now a string", store.Get("s"));
    }
}
