using System.Text;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// Bytes in memory, of the whole store and per keyspace (with its keys), kept as sums that the keys changed since the
/// last sample correct (walking every key, and every element of every set and hash, under the lock each second stalled
/// the writers of a large store); a keyspace's backlog from the replicator's counts.
/// </summary>
internal sealed partial class KvEngine
{
    private readonly Dictionary<string, PrefixSum> _figureSums = new(StringComparer.Ordinal);

    /// <summary>Bytes of every key held, tombstones included, as of the last sample and the strings changed since (changed under the store's lock).</summary>
    private long _storeBytes;

    /// <summary>Keys changed since the last sample (each once: <see cref="KeyState.FigureDirty"/>); kept only once sampled.</summary>
    private List<KeyState>? _figureDirty;

    private sealed class PrefixSum(byte[] prefix)
    {
        public byte[] Prefix { get; } = prefix;

        public long Keys { get; set; }

        public long Bytes { get; set; }

        public void Add(KeyState state, int sign)
        {
            if (state.FigureLive && state.Key.AsSpan().StartsWith(Prefix))
            {
                Keys += sign;
                Bytes += sign * state.FigureBytes;
            }
        }

        /// <summary>A key's figures went from (<paramref name="wasLive"/>, <paramref name="hadBytes"/>) to its current ones.</summary>
        public void Change(KeyState state, bool wasLive, long hadBytes)
        {
            if (state.Key.AsSpan().StartsWith(Prefix))
            {
                Keys += (state.FigureLive ? 1 : 0) - (wasLive ? 1 : 0);
                Bytes += (state.FigureLive ? state.FigureBytes : 0) - (wasLive ? hadBytes : 0);
            }
        }
    }

    /// <summary>
    /// A key changed: a key without a set or a hash has its figures taken now, the next sample corrects the sums for any
    /// other. A string's figures are a few fields of objects just written, still in the cache; a sample a second later
    /// found them cold (perf of a replica under replicated SET, 2026-12-06: the sample and its byte counts were 5% of
    /// its CPU). A set's or hash's bytes are estimated from up to <see cref="KeyState.LargeElements"/> elements, which
    /// each SADD or HSET must not pay: those wait for the sample.
    /// </summary>
    private void FiguresChanged(KeyState state)
    {
        if (_figureDirty is not { } dirty || state.FigureDirty)
        {
            return; // not sampled yet (the first sample takes every key), or listed already
        }

        if (state.Members is null && state.Fields is null)
        {
            Resample(state);
            return;
        }

        state.FigureDirty = true;
        dirty.Add(state);
    }

    /// <summary>Takes a key's figures again and corrects the store's and every prefix's sums by the difference (under the lock).</summary>
    private void Resample(KeyState state)
    {
        var (wasLive, hadBytes) = (state.FigureLive, state.FigureBytes);
        TakeFigures(state);
        _storeBytes += state.FigureBytes - hadBytes;
        foreach (var sum in _figureSums.Values)
        {
            sum.Change(state, wasLive, hadBytes);
        }
    }

    /// <summary>A key's bytes while held (tombstones too), and whether it holds a value (an expired key counts until the
    /// sweep deletes it, as in DBSIZE).</summary>
    private static void TakeFigures(KeyState state)
    {
        state.FigureDirty = false;
        state.FigureLive = !state.Removed && state.Type != KvType.None;
        state.FigureBytes = state.Removed ? 0 : state.ApproximateBytes();
    }

    /// <summary>Dirty keys looked at per hold of the store's lock: under 100,000 SETs a second a sample found ~60,000
    /// changed keys, ~23 ms of the lock (perf, 2026-12-05) during which no command ran; in chunks, writers run between.</summary>
    private const int FigureChunk = 4096;

    /// <summary>One sample at a time: a sample corrects the sums for the dirty keys it counted, then removes them.</summary>
    private readonly Lock _figureSampling = new();

    public IReadOnlyList<KvKeyspaceStats> KeyspaceFigures(IReadOnlyList<string> prefixes)
    {
        lock (_figureSampling)
        {
            CatchUpFigures();
            lock (_gate)
            {
                return Sums(prefixes);
            }
        }
    }

    /// <summary>The store's bytes, caught up with the keys changed until now. A caller holding the store's lock (INFO
    /// queued in MULTI runs inside EXEC) must not wait for a sample, which takes its lock first and the store's after:
    /// it catches up only when no sample runs, else reads the bytes as that sample has them so far.</summary>
    private long SampledStoreBytes()
    {
        if (_gate.IsHeldByCurrentThread && !_figureSampling.TryEnter())
        {
            return _storeBytes;
        }

        if (!_gate.IsHeldByCurrentThread)
        {
            _figureSampling.Enter();
        }

        try
        {
            CatchUpFigures();
            return _storeBytes;
        }
        finally
        {
            _figureSampling.Exit();
        }
    }

    /// <summary>Corrects the sums for the keys changed until now, a chunk per hold of the store's lock (under <see cref="_figureSampling"/>).</summary>
    private void CatchUpFigures()
    {
        int dirty;
        lock (_gate)
        {
            if (_figureDirty is null)
            {
                // The first sample: every key's figures taken once; from now on only changed keys are looked at.
                _figureDirty = [];
                foreach (var state in _table.All())
                {
                    TakeFigures(state);
                    _storeBytes += state.FigureBytes;
                }
            }

            // The keys changed until now; those changed meanwhile join the list behind them, for the next sample.
            dirty = _figureDirty.Count;
        }

        for (var start = 0; start < dirty; start += FigureChunk)
        {
            lock (_gate)
            {
                for (var i = start; i < Math.Min(start + FigureChunk, dirty); i++)
                {
                    // Changed again since it was listed: its figures are taken now; it is not listed twice.
                    Resample(_figureDirty[i]);
                }
            }
        }

        lock (_gate)
        {
            _figureDirty.RemoveRange(0, dirty);
        }
    }

    /// <summary>The figures of each prefix (under the lock).</summary>
    private List<KvKeyspaceStats> Sums(IReadOnlyList<string> prefixes)
    {
        var sums = new PrefixSum[prefixes.Count];
        for (var i = 0; i < sums.Length; i++)
        {
            if (!_figureSums.TryGetValue(prefixes[i], out var sum))
            {
                // A prefix not asked about before: summed from every key once (keyspaces are few and change rarely).
                _figureSums[prefixes[i]] = sum = new PrefixSum(Encoding.UTF8.GetBytes(prefixes[i]));
                foreach (var state in _table.All())
                {
                    sum.Add(state, +1);
                }
            }

            sums[i] = sum;
        }

        var backlog = _replication?.Backlog([.. sums.Select(s => s.Prefix)], NowUnixMs());
        return [.. sums.Select((sum, i) => new KvKeyspaceStats(
            prefixes[i],
            _replication?.Carries(sum.Prefix) == true,
            sum.Keys,
            sum.Bytes,
            backlog?[i].Pending ?? 0,
            TimeSpan.FromMilliseconds(backlog?[i].LagMs ?? 0)))];
    }
}
