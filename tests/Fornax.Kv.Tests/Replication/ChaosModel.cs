using Fornax.Kv.Engine;
using Xunit.Abstractions;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// The writes of a random history and what they promise. Each key family is written only in ways whose outcome after
/// convergence is known whatever the order of delivery:
/// <list type="bullet">
/// <item><c>cart:n*</c>: INCRBY only — the sum of every increment;</item>
/// <item><c>cart:set*</c>, <c>cart:big</c>: SADD, SREM, DEL — a member added and never removed (nor deleted with its
/// key) is present, a member never added is not (add wins over a concurrent remove, so removed ones may stay);</item>
/// <item><c>cart:h*</c>: HSET/HDEL of fields f*, HINCRBY of fields c* (never deleted) — each c* field the sum;</item>
/// <item><c>cart:only-SITE</c>: SET at that site only — its last value;</item>
/// <item><c>cart:str*</c>: SET, DEL, EXPIRE, PERSIST, SET KEEPTTL at any site (last writer wins) — only that every site
/// reads the same;</item>
/// <item><c>local:SITE</c>: outside every keyspace — at that site only;</item>
/// <item><c>pair:*</c>: placed at c and d only (every site between relays them): counters and sets as above.</item>
/// </list>
/// </summary>
internal sealed class ChaosModel
{
    private const int BigMembers = 5_000; // over KeyState.LargeElements: the large key's whole-state paths run

    private readonly Dictionary<string, long> _counters = [];
    private readonly Dictionary<string, long> _hashCounters = [];
    private readonly Dictionary<string, HashSet<string>> _added = [];
    private readonly Dictionary<string, HashSet<string>> _removed = [];
    private readonly Dictionary<string, string> _only = [];
    private readonly Dictionary<string, string> _local = [];
    private readonly HashSet<string> _keys = [];
    private readonly List<(int Sequence, string Site, string Key, string What)> _history = [];
    private int _sequence;
    private string _site = "";

    /// <summary>Writes made so far (a failure's message numbers writes and link events by it).</summary>
    public int Sequence => _sequence;

    public IEnumerable<string> ReplicatedKeys => _keys.Order(StringComparer.Ordinal);

    public void Write(IKvStore store, string site, Random random)
    {
        var value = $"{site}-{++_sequence}";
        _site = site;
        switch (random.Next(16))
        {
            case 13:
                Fields(store, random, value);
                break;
            case 14:
            case 15:
                Anything(store, random, value);
                break;
            case 0:
            case 1:
                Strings(store, random, value);
                break;
            case 2:
                Increment(store, random, $"cart:n{random.Next(3)}");
                break;
            case 3:
            case 4:
                Sets(store, random, $"cart:set{random.Next(3)}", $"m{random.Next(12)}");
                break;
            case 5:
                Big(store, random);
                break;
            case 6:
            case 7:
                Hashes(store, random, value);
                break;
            case 8:
                var only = $"cart:only-{site}";
                store.Set(only, value);
                _only[only] = value;
                _keys.Add(only);
                break;
            case 9:
                var local = $"local:{site}";
                store.Set(local, value);
                _local[local] = value;
                break;
            case 10:
                // One transaction over several families: replicated as one batch, seen whole or not at all.
                var str = $"cart:str{random.Next(6)}";
                var n = $"cart:n{random.Next(3)}";
                var set = $"cart:set{random.Next(3)}";
                var member = $"m{random.Next(12)}";
                store.Do(tx =>
                {
                    tx.SetString(B(str), B(value), null, false);
                    tx.IncrementBy(B(n), 1);
                    tx.SetAdd(B(set), B(member));
                });
                Note(str, $"SET {value} (MULTI with {n}, {set})");
                _keys.Add(str);
                Add(_counters, n, 1);
                Member(_added, set, member);
                break;
            default:
                Strings(store, random, value);
                break;
        }
    }

    /// <summary>A write at c or d of a key of the keyspace only they hold.</summary>
    public void WritePair(IKvStore store, string site, Random random)
    {
        var value = $"{site}-{++_sequence}";
        _site = site;
        switch (random.Next(4))
        {
            case 0:
                Increment(store, random, $"pair:n{random.Next(2)}");
                break;
            case 1:
                Sets(store, random, $"pair:set{random.Next(2)}", $"m{random.Next(8)}");
                break;
            default:
                var key = $"pair:s{random.Next(3)}";
                store.Set(key, value);
                _keys.Add(key);
                Note(key, $"SET {value}");
                break;
        }
    }

    private void Strings(IKvStore store, Random random, string value)
    {
        var key = $"cart:str{random.Next(6)}";
        _keys.Add(key);
        switch (random.Next(6))
        {
            case 0:
                var deleted = store.Run(tx => tx.Delete(B(key)));
                Note(key, deleted ? "DEL" : "DEL (none)");
                break;
            case 1:
                var ttl = 3_600_000 + random.Next(1000);
                var expired = store.Run(tx => tx.SetExpiry(B(key), tx.NowUnixMs + ttl));
                Note(key, expired ? "EXPIRE" : "EXPIRE (none)");
                break;
            case 2:
                var persisted = store.Run(tx => tx.SetExpiry(B(key), null));
                Note(key, persisted ? "PERSIST" : "PERSIST (none)");
                break;
            case 3:
                store.Do(tx => tx.SetString(B(key), B(value), null, keepExpiry: true));
                Note(key, $"SET {value} KEEPTTL");
                break;
            default:
                store.Set(key, value);
                Note(key, $"SET {value}");
                break;
        }
    }

    /// <summary>INCRBY of -5 to 10, summed into what the counter must read at the end.</summary>
    private void Increment(IKvStore store, Random random, string counter)
    {
        var by = random.Next(-5, 11);
        store.Run(tx => tx.IncrementBy(B(counter), by));
        Add(_counters, counter, by);
    }

    private void Sets(IKvStore store, Random random, string key, string member)
    {
        _keys.Add(key);
        switch (random.Next(8))
        {
            case 0:
                Delete(store, key);
                Note(key, "DEL");
                break;
            case 1:
            case 2:
                store.Do(tx => tx.SetRemove(B(key), B(member)));
                Member(_removed, key, member);
                Note(key, $"SREM {member}");
                break;
            default:
                store.Do(tx => tx.SetAdd(B(key), B(member)));
                Member(_added, key, member);
                Note(key, $"SADD {member}");
                break;
        }
    }

    /// <summary>DEL of a set or hash: every member or field added so far counts as removed (those added concurrently
    /// elsewhere may stay: add wins).</summary>
    private void Delete(IKvStore store, string key)
    {
        store.Do(tx => tx.Delete(B(key)));
        foreach (var added in _added.GetValueOrDefault(key) ?? [])
        {
            Member(_removed, key, added);
        }
    }

    /// <summary>A collection of <see cref="BigMembers"/> elements (<paramref name="prefix"/>0, 1, …) added in one transaction.</summary>
    private void Fill(IKvStore store, string key, string prefix, Action<IKvTransaction, string> add)
    {
        store.Do(tx =>
        {
            for (var i = 0; i < BigMembers; i++)
            {
                add(tx, $"{prefix}{i}");
            }
        });
        for (var i = 0; i < BigMembers; i++)
        {
            Member(_added, key, $"{prefix}{i}");
        }

        _keys.Add(key);
    }

    /// <summary>A set of over 4,096 members, added in one transaction the first time, then changed a member at a time.</summary>
    private void Big(IKvStore store, Random random)
    {
        const string key = "cart:big";
        if (!_keys.Contains(key))
        {
            Fill(store, key, "b", (tx, name) => tx.SetAdd(B(key), B(name)));
            return;
        }

        var member = $"b{random.Next(BigMembers + 50)}";
        if (random.Next(3) == 0)
        {
            store.Do(tx => tx.SetRemove(B(key), B(member)));
            Member(_removed, key, member);
        }
        else
        {
            store.Do(tx => tx.SetAdd(B(key), B(member)));
            Member(_added, key, member);
        }
    }

    /// <summary>Hashes whose fields are set, deleted, and deleted with the key: a field set and never deleted is present.</summary>
    private void Fields(IKvStore store, Random random, string value)
    {
        var key = random.Next(5) == 0 ? "cart:bighash" : $"cart:hf{random.Next(2)}";
        _keys.Add(key);
        if (key == "cart:bighash" && !_added.ContainsKey(key))
        {
            Fill(store, key, "g", (tx, name) => tx.HashSet(B(key), B(name), B(value)));
            return;
        }

        var field = key == "cart:bighash" ? $"g{random.Next(BigMembers + 50)}" : $"f{random.Next(8)}";
        switch (random.Next(10))
        {
            case 0 when key != "cart:bighash":
                Delete(store, key);
                break;
            case 1:
            case 2:
                store.Do(tx => tx.HashDelete(B(key), B(field)));
                Member(_removed, key, field);
                break;
            default:
                store.Do(tx => tx.HashSet(B(key), B(field), B(value)));
                Member(_added, key, field);
                break;
        }
    }

    /// <summary>
    /// Keys any command may hit: every type, COPY and RENAME between them, INCRBYFLOAT, expiries that pass during the
    /// run (the sites' sweeps delete them). Refused commands (WRONGTYPE) change nothing. Only convergence is promised.
    /// </summary>
    private void Anything(IKvStore store, Random random, string value)
    {
        var key = $"cart:any{random.Next(3)}";
        var other = $"cart:any{random.Next(3)}";
        _keys.Add(key);
        _keys.Add(other);
        var member = $"m{random.Next(4)}";
        var by = random.Next(-4, 5) / 2.0;
        var ttl = random.Next(20, 300);
        var op = random.Next(11);
        try
        {
            store.Do(tx =>
            {
                switch (op)
                {
                    case 0: tx.SetString(B(key), B(value), null, false); break;
                    case 1: tx.IncrementBy(B(key), 1); break;
                    case 2: tx.IncrementByFloat(B(key), by); break;
                    case 3: tx.SetAdd(B(key), B(member)); break;
                    case 4: tx.SetRemove(B(key), B(member)); break;
                    case 5: tx.HashSet(B(key), B(member), B(value)); break;
                    case 6: tx.HashIncrementBy(B(key), B(member), 2); break;
                    case 7: tx.Delete(B(key)); break;
                    case 8: tx.SetExpiry(B(key), tx.NowUnixMs + ttl); break;
                    case 9: tx.Copy(B(other), B(key), replace: true); break;
                    default:
                        if (key != other && tx.Copy(B(other), B(key), replace: true))
                        {
                            tx.Delete(B(other)); // RENAME
                        }

                        break;
                }
            });
            Note(key, $"op {op} {value}");
        }
        catch (KvException)
        {
            Note(key, $"op {op} refused");
        }
    }

    private void Hashes(IKvStore store, Random random, string value)
    {
        var key = $"cart:h{random.Next(2)}";
        _keys.Add(key);
        switch (random.Next(4))
        {
            case 0:
                var field = $"f{random.Next(6)}";
                store.Do(tx => tx.HashDelete(B(key), B(field)));
                break;
            case 1:
                var counter = $"c{random.Next(2)}";
                var by = random.Next(-3, 8);
                store.Run(tx => tx.HashIncrementBy(B(key), B(counter), by));
                Add(_hashCounters, $"{key} {counter}", by);
                break;
            default:
                var set = $"f{random.Next(6)}";
                store.Do(tx => tx.HashSet(B(key), B(set), B(value)));
                break;
        }
    }

    /// <summary>The writes of <paramref name="key"/>, for a failure's message.</summary>
    public string History(string key) =>
        string.Join(" ", _history.Where(h => h.Key == key).TakeLast(12).Select(h => $"#{h.Sequence} {h.Site} {h.What}"));

    private void Note(string key, string what) => _history.Add((_sequence, _site, key, what));

    private void Add(Dictionary<string, long> sums, string key, long by)
    {
        sums[key] = sums.GetValueOrDefault(key) + by;
        _keys.Add(key.Split(' ')[0]);
    }

    private static void Member(Dictionary<string, HashSet<string>> byKey, string key, string member)
    {
        if (!byKey.TryGetValue(key, out var members))
        {
            byKey[key] = members = [];
        }

        members.Add(member);
    }

    /// <summary>A set's members or a hash's fields.</summary>
    private static HashSet<string> Names(IKvStore store, string key) => store.Run(tx => tx.TypeOf(B(key))) == KvType.Hash
        ? store.Entries(key).Select(entry => entry[..entry.IndexOf('=', StringComparison.Ordinal)]).ToHashSet()
        : store.Members(key).ToHashSet();

    /// <summary>Checks the promises against one site (the caller has checked that every site reads the same).</summary>
    public void Check(ChaosTree tree, ITestOutputHelper output)
    {
        var site = tree["c"]; // holds both keyspaces
        foreach (var (key, sum) in _counters)
        {
            Assert.True(sum.ToString(System.Globalization.CultureInfo.InvariantCulture) == site.Get(key),
                $"{key}: every increment sums to {sum}, the sites read {site.Get(key) ?? "nothing"}");
        }

        foreach (var (keyAndField, sum) in _hashCounters)
        {
            var parts = keyAndField.Split(' ');
            var read = site.Run(tx => tx.HashTryGet(B(parts[0]), B(parts[1]), out var v) ? System.Text.Encoding.UTF8.GetString(v) : null);
            Assert.True(sum.ToString(System.Globalization.CultureInfo.InvariantCulture) == read,
                $"{parts[0]} field {parts[1]}: every increment sums to {sum}, the sites read {read ?? "nothing"}");
        }

        foreach (var (key, added) in _added)
        {
            var members = Names(site, key);
            var removed = _removed.GetValueOrDefault(key) ?? [];
            var missing = added.Where(m => !removed.Contains(m) && !members.Contains(m)).ToList();
            Assert.True(missing.Count == 0, $"{key}: members or fields added and never removed are missing: {string.Join(",", missing.Take(20))}");
            var stray = members.Where(m => !added.Contains(m)).ToList();
            Assert.True(stray.Count == 0, $"{key}: members or fields no one added: {string.Join(",", stray.Take(20))}");
        }

        foreach (var (key, value) in _only)
        {
            Assert.Equal(value, site.Get(key));
        }

        foreach (var (key, value) in _local)
        {
            var owner = key["local:".Length..];
            foreach (var name in ChaosTree.Names)
            {
                Assert.Equal(name == owner ? value : null, tree[name].Get(key));
            }
        }

        output.WriteLine($"checked {_counters.Count} counters, {_hashCounters.Count} hash counters, {_added.Count} sets, " +
                         $"{_only.Count} single-writer keys, {_local.Count} local keys; {_keys.Count} keys compared at every site");
    }
}
