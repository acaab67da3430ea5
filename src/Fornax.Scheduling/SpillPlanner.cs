namespace Fornax.Scheduling;

/// <summary>How a site that serves the function stands to this one.</summary>
public enum SiteRelation
{
    /// <summary>Under the same parent (the same region).</summary>
    Sibling,

    /// <summary>On the way up to the root.</summary>
    Ancestor,
}

/// <summary>One site the invocation could go to.</summary>
/// <param name="SitePath">The site.</param>
/// <param name="Relation">Sibling or ancestor.</param>
/// <param name="Up">Levels above this site: 0 for a sibling, 1 for the parent, 2 for the grandparent, …</param>
/// <param name="Latency">Link round trip along the tree between the two sites.</param>
/// <param name="Load">Its fresh reported figures; null when not heard recently (then it is no target).</param>
/// <param name="Outstanding">Invocations this site forwarded there, not yet answered and not yet in <paramref name="Load"/> (<see cref="LoadBoard.Unreported"/>).</param>
public sealed record SpillCandidate(string SitePath, SiteRelation Relation, int Up, TimeSpan Latency, SiteLoad? Load, int Outstanding = 0);

/// <summary>One invocation to place.</summary>
/// <param name="Function">The function's name.</param>
/// <param name="Policy">Its <c>spec.scheduling.policy</c>.</param>
/// <param name="Hops">Sites it passed before this one (0: it arrived from a client).</param>
/// <param name="InFlight">Invocations running here now (this one not counted).</param>
/// <param name="ServiceTime">The function's mean duration here; null when unknown.</param>
public sealed record SpillRequest(string Function, SpillPolicy Policy, int Hops, int InFlight, TimeSpan? ServiceTime);

/// <summary>Where the invocation runs: here (<see cref="Target"/> null) or at <see cref="Target"/>, and why.</summary>
public sealed record SpillDecision(string? Target, string Reason)
{
    public bool RunHere => Target is null;

    public static SpillDecision Here(string reason) => new(null, reason);
}

/// <summary>
/// The spill-out decision, pure: given this site's load and the candidates' reported load and latency, run here or go to
/// the best other site. Siblings first (the cheapest by latency plus predicted wait), then the parent, then further up.
/// A request that was already forwarded only goes up (never sideways, never back to a site it passed), and not past
/// <see cref="SchedulingOptions.MaxHops"/>: on a tree that makes every path finite and loop-free.
/// The wait is predicted as processor sharing: <c>n</c> invocations on <c>k</c> slots each run <c>max(1, n/k)</c> times
/// their service time.
/// </summary>
public sealed class SpillPlanner(SchedulingOptions options)
{
    public SpillDecision Decide(SpillRequest request, IReadOnlyList<SpillCandidate> candidates)
    {
        if (request.Policy == SpillPolicy.Local)
        {
            return SpillDecision.Here("policy local");
        }

        if (request.Hops >= options.MaxHops - 1)
        {
            return SpillDecision.Here($"hop limit ({options.MaxHops} sites)");
        }

        // Forwarded once already: only up, which is what keeps a path from turning back.
        var allowed = candidates.Where(c => request.Hops == 0 || c.Relation == SiteRelation.Ancestor).ToList();
        return request.Policy == SpillPolicy.Cloud ? Highest(allowed) : Spill(request, allowed);
    }

    private static SpillDecision Highest(List<SpillCandidate> candidates) =>
        candidates.Where(c => c.Relation == SiteRelation.Ancestor).MaxBy(c => c.Up) is { } top
            ? new SpillDecision(top.SitePath, "policy cloud")
            : SpillDecision.Here("policy cloud: no site above serves the function");

    private SpillDecision Spill(SpillRequest request, List<SpillCandidate> candidates)
    {
        var capacity = options.Capacity;
        var queued = Math.Max(0, request.InFlight - capacity);
        var service = request.ServiceTime ?? TimeSpan.Zero;
        var waitHere = Wait(service, request.InFlight, capacity);
        var overQueue = queued >= options.EffectiveQueueThreshold;
        if (!overQueue && waitHere <= TimeSpan.Zero)
        {
            return SpillDecision.Here("within capacity");
        }

        // Tiers in order: siblings, parent, grandparent, …; the first tier with a good site wins.
        foreach (var tier in candidates.Where(c => c.Load is not null).GroupBy(c => c.Up).OrderBy(g => g.Key))
        {
            var best = tier
                .Select(c => (Site: c, Cost: Cost(c, request.Function, service), Free: c.Load!.Effective + c.Outstanding + 1 <= c.Load.Capacity))
                .Where(c => overQueue ? c.Free : c.Cost < waitHere)
                .OrderBy(c => c.Cost).ThenBy(c => c.Site.SitePath, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best.Site is not null)
            {
                return new SpillDecision(best.Site.SitePath, overQueue
                    ? $"queue {queued} at or over {options.EffectiveQueueThreshold}"
                    : $"predicted wait {Ms(waitHere)} over {Ms(best.Cost)} at {best.Site.SitePath}");
            }
        }

        return SpillDecision.Here(overQueue ? $"queue {queued}: no site with a free slot" : $"predicted wait {Ms(waitHere)}: no cheaper site");
    }

    /// <summary>The round trip there plus the wait predicted there, its own service time for the function if it reported one.</summary>
    private static TimeSpan Cost(SpillCandidate candidate, string function, TimeSpan serviceHere)
    {
        var load = candidate.Load!;
        var service = load.Functions.GetValueOrDefault(function)?.ServiceTime ?? serviceHere;
        var concurrency = (int)Math.Ceiling(load.Effective - 1e-9) + candidate.Outstanding;
        return candidate.Latency + Wait(service, concurrency, load.Capacity);
    }

    /// <summary>The extra time one more invocation takes with <paramref name="inFlight"/> already running on <paramref name="capacity"/> slots.</summary>
    internal static TimeSpan Wait(TimeSpan service, int inFlight, int capacity) =>
        inFlight + 1 <= capacity ? TimeSpan.Zero : service * ((inFlight + 1.0) / capacity - 1);

    private static string Ms(TimeSpan span) => $"{span.TotalMilliseconds:0.#} ms";
}
