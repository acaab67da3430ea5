namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// A hybrid logical clock (Kulkarni et al., 2014): Unix milliseconds in the high bits, a logical counter in the low 16.
/// Every value it hands out is larger than every value it handed out or observed before, so a replica's dots are
/// unique and increasing even when the wall clock stalls or steps back. The caller reads the wall clock (once per
/// transaction, or once per pipelined burst of them): a physical time a few microseconds old only means the logical
/// counter carries the order, as it does within a millisecond anyway.
/// </summary>
internal sealed class HybridLogicalClock
{
    private const int LogicalBits = 16;
    private long _last;

    /// <summary>The largest value handed out or observed.</summary>
    public long Last => _last;

    public static long FromUnixMs(long unixMs) => unixMs << LogicalBits;

    public static long ToUnixMs(long hlc) => hlc >> LogicalBits;

    /// <summary>A new timestamp at or after <paramref name="nowUnixMs"/>, larger than any before. Callers hold the store's lock.</summary>
    public long Next(long nowUnixMs)
    {
        var physical = FromUnixMs(nowUnixMs);
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
