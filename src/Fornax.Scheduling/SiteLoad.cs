namespace Fornax.Scheduling;

/// <summary>
/// One site's load as it reports it in its heartbeats: capacity (concurrency slots), what runs now, and the damped
/// concurrency (stable and panic windows); per function, what runs now and the mean service time of the stable window.
/// </summary>
/// <param name="Capacity">Concurrency slots.</param>
/// <param name="InFlight">Invocations running now.</param>
/// <param name="Queued">Invocations beyond the slots now: they share the cores, so each waits its turn.</param>
/// <param name="Stable">Concurrency averaged over the stable window.</param>
/// <param name="Panic">Concurrency averaged over the panic window.</param>
/// <param name="Panicking">The panic window's average reached the panic threshold within the last stable window.</param>
/// <param name="Functions">Per function name.</param>
public sealed record SiteLoad(int Capacity, int InFlight, int Queued, double Stable, double Panic, bool Panicking, IReadOnlyDictionary<string, FunctionLoad> Functions)
{
    /// <summary>The damped concurrency others plan with (see <see cref="LoadEstimate.Effective"/>).</summary>
    public double Effective => new LoadEstimate(Stable, Panic, Panicking).Effective;

    /// <summary>The damped concurrency over the capacity (1 = every slot busy).</summary>
    public double Utilization => Effective / Capacity;
}

/// <summary>One function's figures at a site.</summary>
/// <param name="InFlight">Its invocations running now.</param>
/// <param name="ServiceTime">Mean duration of its invocations over the stable window; null when none ran in it.</param>
public sealed record FunctionLoad(int InFlight, TimeSpan? ServiceTime);
