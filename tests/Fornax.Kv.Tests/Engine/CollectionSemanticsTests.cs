using Fornax.Kv.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Engine;

public sealed class CollectionSemanticsTests
{
    [Fact]
    public async Task Set_AddRemove_KeyGoesWithLastMember()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        var now = Start.ToUnixTimeMilliseconds();
        Assert.True(store.Run(tx => tx.SetAdd(B("s"), B("a"))));
        Assert.False(store.Run(tx => tx.SetAdd(B("s"), B("a"))));
        Assert.True(store.Run(tx => tx.SetAdd(B("s"), B("b"))));
        store.Do(tx => tx.SetExpiry(B("s"), now + 10_000));
        Assert.Equal(2, store.Run(tx => tx.SetCount(B("s"))));
        Assert.True(store.Run(tx => tx.SetContains(B("s"), B("b"))));
        Assert.False(store.Run(tx => tx.SetContains(B("s"), B("c"))));
        Assert.True(store.Run(tx => tx.SetRemove(B("s"), B("a"))));
        Assert.False(store.Run(tx => tx.SetRemove(B("s"), B("a"))));
        Assert.Equal(["b"], store.Members("s"));
        Assert.True(store.Run(tx => tx.SetRemove(B("s"), B("b"))));
        Assert.Equal(KvType.None, store.Run(tx => tx.TypeOf(B("s"))));
        Assert.Equal(0, store.Count);
        store.Do(tx => tx.SetAdd(B("s"), B("c")));
        Assert.Null(store.Run(tx => tx.GetExpiry(B("s")))); // the expiry went with the old key
    }

    [Fact]
    public async Task Hash_SetGetDeleteIncrement()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        Assert.True(store.Run(tx => tx.HashSet(B("h"), B("f"), B("1"))));
        Assert.False(store.Run(tx => tx.HashSet(B("h"), B("f"), B("2"))));
        Assert.Equal(12, store.Run(tx => tx.HashIncrementBy(B("h"), B("f"), 10)));
        Assert.Equal(3, store.Run(tx => tx.HashIncrementBy(B("h"), B("n"), 3)));
        Assert.Equal(3.5, store.Run(tx => tx.HashIncrementByFloat(B("h"), B("n"), 0.5)));
        Assert.Equal(["f=12", "n=3.5"], store.Entries("h"));
        Assert.Equal(2, store.Run(tx => tx.HashCount(B("h"))));
        Assert.Equal("12", store.Run(tx => tx.HashTryGet(B("h"), B("f"), out var v) ? System.Text.Encoding.UTF8.GetString(v) : null));
        Assert.Equal(KvException.HashNotInteger, Assert.Throws<KvException>(() => store.Run(tx => tx.HashIncrementBy(B("h"), B("n"), 1))).Message);
        store.Do(tx => tx.HashSet(B("h"), B("t"), B("x")));
        Assert.Equal(KvException.HashNotFloat, Assert.Throws<KvException>(() => store.Run(tx => tx.HashIncrementByFloat(B("h"), B("t"), 1))).Message);
        Assert.True(store.Run(tx => tx.HashDelete(B("h"), B("f"))));
        Assert.False(store.Run(tx => tx.HashDelete(B("h"), B("f"))));
        Assert.True(store.Run(tx => tx.HashDelete(B("h"), B("n"))));
        Assert.True(store.Run(tx => tx.HashDelete(B("h"), B("t"))));
        Assert.Equal(KvType.None, store.Run(tx => tx.TypeOf(B("h"))));
    }

    [Fact]
    public async Task DeleteAndDeleteAll_RemoveEveryType()
    {
        var (store, _) = InMemory();
        await using var _store = store;
        store.Set("a", "1");
        store.Do(tx => tx.SetAdd(B("b"), B("m")));
        store.Do(tx => tx.HashSet(B("c"), B("f"), B("v")));
        Assert.True(store.Run(tx => tx.Delete(B("a"))));
        Assert.False(store.Run(tx => tx.Delete(B("a"))));
        Assert.Equal(2, store.Count);
        store.Do(tx => tx.DeleteAll());
        Assert.Equal(0, store.Count);
        Assert.Equal(KvType.None, store.Run(tx => tx.TypeOf(B("c"))));
    }
}
