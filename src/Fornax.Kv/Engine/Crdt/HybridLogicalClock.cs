namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// A hybrid logical clock (Kulkarni et al., 2014): Unix milliseconds in the high bits, a logical counter in the low 16.
/// Every value it hands out is larger than every value it handed out or observed before, so a replica's dots are
/// unique and increasing even when the wall clock stalls or steps back.
/// </summary>
internal sealed class HybridLogicalClock(TimeProvider time)
{
    private const int LogicalBits = 16;
    private long _last;

    /// <summary>The largest value handed out or observed.</summary>
    public long Last => _last;

    public static long FromUnixMs(long unixMs) => unixMs << LogicalBits;

    public static long ToUnixMs(long hlc) => hlc >> LogicalBits;

    /// <summary>A new timestamp, larger than any before. Callers hold the store's lock.</summary>
    public long Next()
    {
        var physical = FromUnixMs(time.GetUtcNow().ToUnixTimeMilliseconds());
        _last = physical > _last ? physical : _last + 1;
        return _last;
    }

    /// <summary>Moves the clock past a timestamp seen from another replica (or read back from disk).</summary>
    public void Observe(long hlc)
    {
        if (hlc > _last)
        {
            _last = hlc;
        }
    }
}
