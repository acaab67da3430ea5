namespace Fornax.Scheduling;

/// <summary>
/// Measures this site's load: every invocation that runs here is <see cref="Started"/> and <see cref="Finished"/>.
/// Thread-safe; a call costs one short lock. See docs/functions.md, "Spill-out".
/// </summary>
public interface ILoadTracker
{
    /// <summary>This site's concurrency slots.</summary>
    int Capacity { get; }

    /// <summary>Invocations running here now.</summary>
    int InFlight { get; }

    /// <summary>An invocation of <paramref name="function"/> begins to run here.</summary>
    void Started(string function);

    /// <summary>It ended; <paramref name="serviceTime"/> is how long it ran, null when it never ran (refused at a limit).</summary>
    void Finished(string function, TimeSpan? serviceTime);

    /// <summary>The mean duration of <paramref name="function"/> over the stable window; null when it did not run in it.</summary>
    TimeSpan? ServiceTime(string function);

    /// <summary>The figures this site reports.</summary>
    SiteLoad Snapshot();

    public static ILoadTracker Create(SchedulingOptions options) => new LoadTracker(options);
}
