namespace Fornax.Scheduling.Locality;

/// <summary>A site holding the keyspace a function binds, as this site sees it.</summary>
/// <param name="SitePath">The site.</param>
/// <param name="Latency">Round trip along the tree to it.</param>
/// <param name="Bandwidth">Bytes per second assumed on the path.</param>
/// <param name="ServesFunction">The function is deployed there (so the invocation can be sent there).</param>
/// <param name="Wait">The wait an invocation is predicted to have there (its load); zero when idle or unknown.</param>
public sealed record DataSite(string SitePath, TimeSpan Latency, double Bandwidth, bool ServesFunction, TimeSpan Wait = default);

/// <summary>One invocation of a function whose keyspace this site does not hold.</summary>
/// <param name="Function">The function's name.</param>
/// <param name="RequestBytes">The size of this request (body and headers as sent on).</param>
/// <param name="Seen">The function's sizes seen so far (<see cref="SizeBook"/>); null when none.</param>
/// <param name="MayReadRemotely">Its binding is read-only, so it may run here and read over the link (a write goes where the data is).</param>
public sealed record LocalityRequest(string Function, long RequestBytes, FunctionSizes? Seen, bool MayReadRemotely);

/// <summary>
/// Where the invocation runs: at <see cref="Target"/> (the computation moves to the data), or here reading the keyspace
/// from <see cref="ReadFrom"/> (the data moves), or here on the local store when both are null (no site holds it).
/// The two estimates are kept for the reason and the tests.
/// </summary>
public sealed record LocalityDecision(string? Target, string? ReadFrom, string Reason, TimeSpan? MoveCompute = null, TimeSpan? MoveData = null)
{
    public bool RunHere => Target is null;
}

/// <summary>
/// The data-locality choice, pure. Moving the computation costs one round trip to a site holding the data and serving
/// the function, the request and response bytes over the path's bandwidth, and the wait predicted there; moving the data
/// costs one round trip per read the function makes and the bytes it reads over the bandwidth. The cheaper wins, from
/// the sizes seen of earlier invocations (wherever they ran); with nothing seen yet the computation goes to the data,
/// which is always correct and teaches the sizes.
/// </summary>
public static class LocalityPlanner
{
    public static LocalityDecision Decide(LocalityRequest request, IReadOnlyList<DataSite> holders)
    {
        var serving = holders.Where(h => h.ServesFunction).ToList();
        var readable = request.MayReadRemotely ? holders.ToList() : [];
        if (serving.Count == 0 && readable.Count == 0)
        {
            return new LocalityDecision(null, null, holders.Count == 0
                ? "no site holds the keyspace: the local store"
                : "no site holding the keyspace serves the function, and it writes: the local store");
        }

        if (request.Seen is not { } seen)
        {
            return serving.Count > 0
                ? new LocalityDecision(Nearest(serving).SitePath, null, "no sizes seen yet: run where the data is")
                : new LocalityDecision(null, Nearest(readable).SitePath, "no sizes seen yet; no holder serves the function: read over the link");
        }

        var compute = serving.Select(h => (Site: h, Cost: MoveCompute(h, request.RequestBytes, seen))).OrderBy(c => c.Cost).ThenBy(c => c.Site.SitePath, StringComparer.Ordinal).FirstOrDefault();
        var data = readable.Select(h => (Site: h, Cost: MoveData(h, seen))).OrderBy(c => c.Cost).ThenBy(c => c.Site.SitePath, StringComparer.Ordinal).FirstOrDefault();
        if (data.Site is null)
        {
            return new LocalityDecision(compute.Site!.SitePath, null, $"the function writes: run where the data is ({Ms(compute.Cost)})", compute.Cost);
        }

        if (compute.Site is null)
        {
            return new LocalityDecision(null, data.Site.SitePath, $"no holder serves the function: read over the link ({Ms(data.Cost)})", null, data.Cost);
        }

        // A tie moves the computation: the data stays where its replicas are, and no read can see a lagging copy.
        return data.Cost < compute.Cost
            ? new LocalityDecision(null, data.Site.SitePath, $"reading here {Ms(data.Cost)} < running at {compute.Site.SitePath} {Ms(compute.Cost)}", compute.Cost, data.Cost)
            : new LocalityDecision(compute.Site.SitePath, null, $"running at {compute.Site.SitePath} {Ms(compute.Cost)} <= reading here {Ms(data.Cost)}", compute.Cost, data.Cost);
    }

    /// <summary>One round trip, the request there and the response back, and the wait there.</summary>
    public static TimeSpan MoveCompute(DataSite site, long requestBytes, FunctionSizes seen) =>
        site.Latency + Transfer(requestBytes + seen.ResponseBytes, site.Bandwidth) + site.Wait;

    /// <summary>A round trip per read and the bytes read (no read at all costs nothing).</summary>
    public static TimeSpan MoveData(DataSite site, FunctionSizes seen) =>
        site.Latency * seen.Reads + Transfer(seen.ReadBytes, site.Bandwidth);

    /// <summary>The wait one more invocation of <paramref name="function"/> is predicted to have at a site with <paramref name="load"/> (as spill-out predicts it).</summary>
    public static TimeSpan PredictedWait(SiteLoad load, string function) =>
        load.Functions.GetValueOrDefault(function)?.ServiceTime is { } service
            ? SpillPlanner.Wait(service, (int)Math.Ceiling(load.Effective - 1e-9), load.Capacity)
            : TimeSpan.Zero;

    private static TimeSpan Transfer(double bytes, double bandwidth) => TimeSpan.FromSeconds(Math.Max(0, bytes) / bandwidth);

    private static DataSite Nearest(List<DataSite> sites) =>
        sites.OrderBy(s => s.Latency).ThenBy(s => s.SitePath, StringComparer.Ordinal).First();

    private static string Ms(TimeSpan span) => $"{span.TotalMilliseconds:0.##} ms";
}
