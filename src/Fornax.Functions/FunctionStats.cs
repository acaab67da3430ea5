namespace Fornax.Functions;

/// <summary>In-process counts for one function since the runtime started (what <c>fornax get functions -o wide</c> shows).</summary>
public sealed record FunctionStats(
    string Name,
    string Digest,
    long Invocations,
    long Ok,
    long Traps,
    long Timeouts,
    long MemoryLimits,
    long OutputTooLarge,
    long TooManyRequests,
    long InvalidResponses,
    long InFlight,
    long Instantiations,
    TimeSpan TotalDuration)
{
    /// <summary>Mean duration of admitted invocations (TooManyRequests excluded); zero before the first.</summary>
    public TimeSpan MeanDuration => Instantiations == 0 ? TimeSpan.Zero : TotalDuration / Instantiations;
}

/// <summary>Runtime-wide module counts: how many modules were compiled and how many came from the disk cache.</summary>
public sealed record RuntimeStats(long Compiles, long DiskCacheLoads, int CachedModules, int Functions);

/// <summary>Thread-safe counters behind <see cref="FunctionStats"/>; one per function name, kept across reloads.</summary>
internal sealed class FunctionCounters
{
    private readonly long[] _byOutcome = new long[Enum.GetValues<InvocationOutcome>().Length];
    private long _instantiations;
    private long _durationTicks;

    public void Record(InvocationOutcome outcome, bool instantiated, TimeSpan duration)
    {
        Interlocked.Increment(ref _byOutcome[(int)outcome]);
        if (!instantiated) return;
        Interlocked.Increment(ref _instantiations);
        Interlocked.Add(ref _durationTicks, duration.Ticks);
    }

    public long Count(InvocationOutcome outcome) => Interlocked.Read(ref _byOutcome[(int)outcome]);

    public long Instantiations => Interlocked.Read(ref _instantiations);

    public FunctionStats Snapshot(string name, string digest, long inFlight)
    {
        long Get(InvocationOutcome o) => Interlocked.Read(ref _byOutcome[(int)o]);
        long total = 0;
        foreach (var o in Enum.GetValues<InvocationOutcome>()) total += Get(o);
        return new FunctionStats(name, digest, total, Get(InvocationOutcome.Ok), Get(InvocationOutcome.Trap),
            Get(InvocationOutcome.Timeout), Get(InvocationOutcome.MemoryLimit), Get(InvocationOutcome.OutputTooLarge),
            Get(InvocationOutcome.TooManyRequests), Get(InvocationOutcome.InvalidResponse), inFlight,
            Interlocked.Read(ref _instantiations), TimeSpan.FromTicks(Interlocked.Read(ref _durationTicks)));
    }
}
