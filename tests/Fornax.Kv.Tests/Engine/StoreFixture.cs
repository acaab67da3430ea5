using System.Text;
using Fornax.Kv.Engine;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Kv.Tests.Engine;

/// <summary>Helpers to drive a store from tests: one transaction per call, UTF-8 strings for keys and values.</summary>
internal static class StoreFixture
{
    public static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    public static (IKvStore Store, FakeTimeProvider Time) InMemory(string site = "site-a", int seed = 1)
    {
        var time = new FakeTimeProvider(Start);
        return (KvStore.Open(new KvStoreOptions { SiteId = site, TimeProvider = time, Random = new Random(seed) }), time);
    }

    /// <summary>A store in memory, on the real clock, holding a replica of <paramref name="prefixes"/> (for replication tests).</summary>
    public static IKvStore Replicating(string site, params string[] prefixes)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = site });
        Fornax.Kv.Replication.KvReplication.For(store).SetKeyspaces(prefixes);
        return store;
    }

    public static T Run<T>(this IKvStore store, Func<IKvTransaction, T> body)
    {
        store.Execute(body, static (tx, f) => f(tx), out var result);
        return result;
    }

    public static void Do(this IKvStore store, Action<IKvTransaction> body) =>
        store.Execute(body, static (tx, f) =>
        {
            f(tx);
            return 0;
        }, out _);

    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static string? Get(this IKvStore store, string key) =>
        store.Run(tx => tx.TryGetString(B(key), out var value) ? Encoding.UTF8.GetString(value) : null);

    public static void Set(this IKvStore store, string key, string value) =>
        store.Do(tx => tx.SetString(B(key), B(value), null, false));

    public static string[] Members(this IKvStore store, string key) => store.Run(tx =>
    {
        var members = new List<byte[]>();
        tx.SetMembers(B(key), members);
        return members.Select(Encoding.UTF8.GetString).Order(StringComparer.Ordinal).ToArray();
    });

    public static string[] Entries(this IKvStore store, string key) => store.Run(tx =>
    {
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        tx.HashEntries(B(key), entries);
        return entries.Select(e => $"{Encoding.UTF8.GetString(e.Key)}={Encoding.UTF8.GetString(e.Value)}")
            .Order(StringComparer.Ordinal).ToArray();
    });

    /// <summary>What a client reads of a key: type, expiry, value (members and fields sorted).</summary>
    public static string View(this IKvStore store, string key) => store.Run(tx =>
    {
        var k = B(key);
        var text = new StringBuilder().Append(tx.TypeOf(k)).Append(' ').Append(tx.GetExpiry(k)).Append(' ');
        switch (tx.TypeOf(k))
        {
            case KvType.String:
                tx.TryGetString(k, out var value);
                text.Append(Encoding.UTF8.GetString(value)).Append(tx.IsCounter(k) ? " (counter)" : "");
                break;
            case KvType.Set:
                text.AppendJoin(',', store.Members(key));
                break;
            case KvType.Hash:
                text.AppendJoin(',', store.Entries(key));
                break;
        }

        return text.ToString();
    });
}
