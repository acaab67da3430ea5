namespace Fornax.Portal;

/// <summary>One way to reach a backend site, in the order a request should try them.</summary>
/// <param name="Site">The site serving the service.</param>
/// <param name="Local">The backend is at this site: no portal-to-portal hop.</param>
/// <param name="Direct">The backend's portal advertises an address this portal may dial directly.</param>
/// <param name="Via">The lowest common ancestor of this site and the backend: the relay when the direct dial fails or none is advertised.</param>
/// <param name="Cost">Measured link latency along the tree, or hops × <see cref="PortalOptions.UnmeasuredHopCost"/> where unmeasured.</param>
public sealed record RouteCandidate(ServiceSite Site, bool Local, bool Direct, string Via, TimeSpan Cost);

/// <summary>Where a request for a service may go: healthy sites nearest first, and which serving sites are offline.</summary>
public sealed record RoutePlan(ServiceKey Service, IReadOnlyList<RouteCandidate> Candidates, IReadOnlyList<string> OfflineSites)
{
    /// <summary>No site announces the service at all (404), as opposed to every site serving it being offline (503).</summary>
    public bool Unknown => Candidates.Count == 0 && OfflineSites.Count == 0;
}
