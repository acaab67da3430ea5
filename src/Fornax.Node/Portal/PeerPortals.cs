using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>One try at a peer portal: its response (any status), or why there was none.</summary>
/// <param name="Response">The peer's answer, whatever its status; null when there was none.</param>
/// <param name="Failure">Why there was no answer.</param>
/// <param name="Unreachable">No connection or no answer at all (refused, reset, TLS refused): another path to the same site may work.</param>
internal sealed record PeerAttempt(HttpResponseMessage? Response, string? Failure, bool Unreachable)
{
    /// <summary>The site does not serve the service (any more): its backend moved away.</summary>
    public bool NotServed { get; init; }
}

/// <summary>
/// Sends a request for a service to another site's portal (<c>/portal/svc/…</c> on its link port, HTTP/2, mutual TLS),
/// straight to the serving site or to a common ancestor that relays it there (<see cref="RelayHeader"/>).
/// </summary>
internal sealed class PeerPortals(PortalClients clients, LocalSite site)
{
    /// <summary>Asks the receiving portal to pass the request on to this site of its subtree rather than serve it.</summary>
    public const string RelayHeader = "Fornax-Relay-To";

    /// <summary>For a caller in <paramref name="callerNamespace"/>, as this site authenticated it, within what is left of <paramref name="deadline"/>.</summary>
    public async Task<PeerAttempt> SendAsync(HttpRequest incoming, string callerNamespace, ServiceKey service, byte[] body, ServiceSite peer, string? relayTo, RequestDeadline deadline, CancellationToken ct)
    {
        if (peer.PortalAddress.Length == 0)
        {
            return new PeerAttempt(null, $"the portal of {peer.SitePath} advertises no address", Unreachable: true);
        }

        var rest = incoming.RouteValues["rest"] as string;
        var target = new Uri($"https://{peer.PortalAddress}/portal/svc/{Uri.EscapeDataString(service.Namespace)}/{Uri.EscapeDataString(service.Name)}/{rest}{incoming.QueryString.Value}");
        using var request = PortalHttp.Outgoing(incoming, target, body, System.Net.HttpVersion.Version11, callerNamespace);
        request.Headers.TryAddWithoutValidation(PortalHttp.RouteHeader, site.Path);
        deadline.Stamp(request);
        if (relayTo is not null)
        {
            request.Headers.TryAddWithoutValidation(RelayHeader, relayTo);
        }

        try
        {
            return new PeerAttempt(await clients.Peer(peer.SitePath).SendAsync(request, ct), null, Unreachable: false);
        }
        catch (OperationCanceledException) when (!incoming.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return new PeerAttempt(null, "timed out", Unreachable: false);
        }
        catch (Exception e) when (PortalHttp.IsConnectionFailure(e))
        {
            return new PeerAttempt(null, e.Message, Unreachable: true);
        }
    }
}
