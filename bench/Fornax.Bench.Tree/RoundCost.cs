using System.Diagnostics;

/// <summary>
/// What a round cost the whole process: CPU time (as cores busy on average: near 2 on two cores means the round was
/// CPU-bound, well under it means it waited), garbage collections by generation, and the time the GC paused every thread.
/// </summary>
internal sealed class RoundCost
{
    private readonly TimeSpan _cpu;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;
    private readonly TimeSpan _paused;

    private RoundCost()
    {
        using var self = Process.GetCurrentProcess();
        _cpu = self.TotalProcessorTime;
        _gen0 = GC.CollectionCount(0);
        _gen1 = GC.CollectionCount(1);
        _gen2 = GC.CollectionCount(2);
        _paused = GC.GetTotalPauseDuration();
    }

    public static RoundCost Start() => new();

    public string Describe(TimeSpan elapsed)
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime - _cpu;
        // CollectionCount(0) counts every GC (a gen2 GC collects gen0 too); report each generation's own.
        var gen2 = GC.CollectionCount(2) - _gen2;
        var gen1 = GC.CollectionCount(1) - _gen1 - gen2;
        var gen0 = GC.CollectionCount(0) - _gen0 - gen1 - gen2;
        var paused = GC.GetTotalPauseDuration() - _paused;
        return $"CPU {cpu.TotalSeconds:0.0} s ({cpu / elapsed:0.00} cores busy); GCs gen0 {gen0}, gen1 {gen1}, gen2 {gen2}, paused {paused.TotalMilliseconds:0} ms ({paused / elapsed * 100:0.0} % of the round)";
    }
}
