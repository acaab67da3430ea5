using System.Globalization;
using CsCheck;
using Fornax.Kv.Engine;

namespace Fornax.Kv.Tests.Crdt;

/// <summary>Commands any history may also run on the key, whatever its type.</summary>
internal static class CommonOps
{
    public static readonly Gen<KeyOp> Delete = Gen.Const(new KeyOp("DEL", tx => tx.Delete("k"u8)));

    public static readonly Gen<KeyOp> Expiry = Gen.Int[-5, 30].Select(ms => new KeyOp($"PEXPIRE {ms}", tx => tx.SetExpiry("k"u8, tx.NowUnixMs + ms)));

    public static readonly Gen<KeyOp> Persist = Gen.Const(new KeyOp("PERSIST", tx => tx.SetExpiry("k"u8, null)));
}

public sealed class StringMergeLaws : MergeLawSuite
{
    protected override Gen<KeyOp> Ops => Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, 5], Gen.Bool, (v, keep) => new KeyOp($"SET v{v}{(keep ? " KEEPTTL" : "")}", tx => tx.SetString("k"u8, B($"v{v}"), null, keep)))),
        (1, Gen.Int[1, 20].Select(ms => new KeyOp($"SET PX {ms}", tx => tx.SetString("k"u8, "px"u8, tx.NowUnixMs + ms, false)))),
        (1, CommonOps.Delete),
        (1, CommonOps.Expiry),
        (1, CommonOps.Persist));
}

public sealed class CounterMergeLaws : MergeLawSuite
{
    protected override Gen<KeyOp> Ops => Gen.Frequency(
        (6, Gen.Int[-5, 5].Select(d => new KeyOp($"INCRBY {d}", tx => tx.IncrementBy("k"u8, d)))),
        (2, Gen.Int[-8, 8].Select(d => new KeyOp($"INCRBYFLOAT {d / 4.0}", tx => tx.IncrementByFloat("k"u8, d / 4.0)))),
        (1, Gen.Int[0, 9].Select(v => new KeyOp($"SET {v}", tx => tx.SetString("k"u8, B(v.ToString(CultureInfo.InvariantCulture)), null, false)))),
        (1, CommonOps.Delete),
        (1, CommonOps.Expiry),
        (1, CommonOps.Persist));
}

/// <summary>With increments only, the converged counter is the sum of every increment at every site.</summary>
public sealed class IncrementOnlyCounterLaws : MergeLawSuite
{
    protected override Gen<KeyOp> Ops => Gen.Int[-100, 100].Select(d => new KeyOp($"INCRBY {d}", tx => tx.IncrementBy("k"u8, d)));

    protected override void CheckConverged(IKvStore[] stores, Step[] history)
    {
        var sum = history.Where(s => s.Op is not null).Sum(s => long.Parse(s.Op!.Name["INCRBY ".Length..], CultureInfo.InvariantCulture));
        var expected = history.Any(s => s.Op is not null) ? sum.ToString(CultureInfo.InvariantCulture) : null;
        Assert.All(stores, store => Assert.Equal(expected is null ? "None  " : $"String  {expected} (counter)", View(store)));
    }
}

public sealed class SetMergeLaws : MergeLawSuite
{
    protected override Gen<KeyOp> Ops => Gen.Frequency(
        (5, Gen.Int[0, 4].Select(m => new KeyOp($"SADD m{m}", tx => tx.SetAdd("k"u8, B($"m{m}"))))),
        (3, Gen.Int[0, 4].Select(m => new KeyOp($"SREM m{m}", tx => tx.SetRemove("k"u8, B($"m{m}"))))),
        (1, CommonOps.Delete),
        (1, CommonOps.Expiry),
        (1, CommonOps.Persist));

    /// <summary>Samples CsCheck found: the three sites' states join into a tombstone (no member left); on the way, a
    /// store whose set emptied must keep its tombstone, or a member removed there comes back from a site that had not seen
    /// the removal.</summary>
    [Fact]
    public void Replicas_Converge_WhenTheJoinHoldsNoMember() => CheckConvergence("4ZPlKDWEfvC2");

    [Fact]
    public void Replicas_Converge_WhenASetEmptiesBeforeTheLastDelivery() => CheckConvergence("d1hv4zo8RuD1");
}

public sealed class HashMergeLaws : MergeLawSuite
{
    protected override Gen<KeyOp> Ops => Gen.Frequency(
        (4, Gen.Select(Gen.Int[0, 3], Gen.Int[0, 9], (f, v) => new KeyOp($"HSET f{f} {v}", tx => tx.HashSet("k"u8, B($"f{f}"), B(v.ToString(CultureInfo.InvariantCulture)))))),
        (3, Gen.Select(Gen.Int[0, 3], Gen.Int[-3, 3], (f, d) => new KeyOp($"HINCRBY f{f} {d}", tx => tx.HashIncrementBy("k"u8, B($"f{f}"), d)))),
        (1, Gen.Select(Gen.Int[0, 3], Gen.Int[-3, 3], (f, d) => new KeyOp($"HINCRBYFLOAT f{f} {d / 2.0}", tx => tx.HashIncrementByFloat("k"u8, B($"f{f}"), d / 2.0)))),
        (2, Gen.Int[0, 3].Select(f => new KeyOp($"HDEL f{f}", tx => tx.HashDelete("k"u8, B($"f{f}"))))),
        (1, CommonOps.Delete),
        (1, CommonOps.Expiry),
        (1, CommonOps.Persist));
}

/// <summary>Writes of every type on one key: concurrent writes of different types must converge too.</summary>
public sealed class MixedTypeMergeLaws : MergeLawSuite
{
    protected override Gen<KeyOp> Ops => Gen.OneOf(
        Gen.Int[0, 3].Select(v => new KeyOp($"SET v{v}", tx => tx.SetString("k"u8, B($"v{v}"), null, false))),
        Gen.Int[-3, 3].Select(d => new KeyOp($"INCRBY {d}", tx => tx.IncrementBy("k"u8, d))),
        Gen.Int[0, 3].Select(m => new KeyOp($"SADD m{m}", tx => tx.SetAdd("k"u8, B($"m{m}")))),
        Gen.Int[0, 3].Select(m => new KeyOp($"SREM m{m}", tx => tx.SetRemove("k"u8, B($"m{m}")))),
        Gen.Int[0, 3].Select(f => new KeyOp($"HSET f{f}", tx => tx.HashSet("k"u8, B($"f{f}"), "x"u8))),
        Gen.Int[0, 3].Select(f => new KeyOp($"HDEL f{f}", tx => tx.HashDelete("k"u8, B($"f{f}")))),
        Gen.Const(new KeyOp("COPY src k", tx => tx.Copy("src"u8, "k"u8, true))),
        CommonOps.Delete,
        CommonOps.Expiry,
        CommonOps.Persist);
}
