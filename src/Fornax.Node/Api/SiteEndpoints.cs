using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Api;

/// <summary><c>/api/site</c>, <c>/healthz</c> and <c>/readyz</c>.</summary>
internal static class SiteInfoEndpoints
{
    public static void MapSiteInfo(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/site", (LocalSite site, SiteNodeHolder holder, IObjectStore store, LinkRunner links, Fornax.Hierarchy.Identity.SiteIdentity identity, Kv.SiteKvStore kv) => Results.Json(new JsonObject
        {
            ["name"] = site.Name,
            ["path"] = site.Path,
            ["tier"] = site.Tier,
            ["parent"] = site.Parent,
            ["endpoints"] = new JsonObject
            {
                ["api"] = holder.Node!.Endpoints.Api,
                ["ingress"] = holder.Node!.Endpoints.Ingress,
                ["resp"] = holder.Node!.Endpoints.Resp,
            },
            ["resourceVersion"] = store.ResourceVersion,
            // read-only while the disk is full: reads are served, writes answer 507 (docs/site.md, "A full disk").
            ["storage"] = store.Storage is var storage ? new JsonObject
            {
                ["state"] = storage.Name,
                ["reason"] = storage.Reason,
                ["since"] = storage.Since,
            } : null,
            // closed until the site first needs its KV store, open, or failed with the reason (docs/kv.md, "When the store opens");
            // uplinkRefusal: why the parent refuses to replicate with this store (docs/kv.md, "A site forgotten").
            ["kv"] = new JsonObject { ["state"] = kv.State, ["error"] = kv.Failure, ["uplinkRefusal"] = kv.UplinkRefusal },
            // null at the root; otherwise whether the link to the parent is up right now (fornax up waits for it), or
            // "refused" when the parent forgot this site, with the parent's reason.
            ["uplink"] = links.Uplink is { } uplink ? (uplink.Refusal is not null ? "refused" : uplink.IsConnected ? "connected" : "disconnected") : null,
            ["uplinkRefusal"] = links.Uplink?.Refusal,
            // The tree this site belongs to, and, while it moves into another one (attachment), how far that got.
            ["caFingerprint"] = Fornax.Hierarchy.Identity.SiteCertificates.Fingerprint(identity.TrustAnchor),
            ["move"] = identity.Move is { } move
                ? new JsonObject { ["from"] = move.From, ["to"] = move.To, ["pendingChildren"] = new JsonArray([.. move.PendingChildren.Select(c => (JsonNode)c)]) }
                : null,
        }, WebJson.Default.JsonObject)).WithMetadata(new ListenerMetadata(Listeners.Api));

        // Health answers on every listener, so a load balancer can probe the ingress port too.
        app.MapGet("/healthz", () => Results.Text("ok"));
        // Ready means serving: a read-only site (full disk) serves reads, so it stays ready; /api/site says it is read-only.
        app.MapGet("/readyz", (SiteNodeHolder holder) => holder.Node?.IsReady == true ? Results.Text("ok") : Results.Text("starting", statusCode: 503));
    }
}
