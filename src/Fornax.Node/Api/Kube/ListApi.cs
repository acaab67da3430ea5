using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// List, watch and deletecollection on a kind, with the parameters kubectl and client-go send (<see cref="ListQuery"/>),
/// answering a Table when the client asks for one (<see cref="KubeTables"/>).
/// </summary>
internal sealed class ListApi(IObjectStore store, SiteHeartbeats heartbeats, TimeProvider time)
{
    public async Task<IResult> ListAsync(string plural, string? ns, HttpContext http)
    {
        if (!ObjectApi.TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var query = ListQuery.Parse(http.Request.Query, out error);
        if (query is null)
        {
            return error!;
        }

        if (http.Request.Query["watch"].FirstOrDefault() is "true" or "1")
        {
            await new KubeWatch(http, store, kind, ns, query, time).RunAsync();
            return Results.Empty;
        }

        var list = await store.ListAsync(kind.Kind, ns, http.RequestAborted);
        var matching = list.Items.Where(i => query.Matches(i.Object));
        var listVersion = list.ResourceVersion;
        if (query.Continue is { } from)
        {
            // Later pages say the first page's version; they show the objects as they are now (no snapshot is kept).
            listVersion = from.ResourceVersion;
            matching = matching.Where(i => string.CompareOrdinal(i.Key.Namespace, from.Namespace) > 0
                || (i.Key.Namespace == from.Namespace && string.CompareOrdinal(i.Key.Name, from.Name) > 0));
        }

        var all = matching.ToList();
        var page = query.Limit is { } limit ? all.Take(limit).ToList() : all;
        var next = page.Count < all.Count ? new ContinueToken(listVersion, page[^1].Key.Namespace, page[^1].Key.Name).Encode() : null;
        var items = page.Select(i => heartbeats.Fresh(i, copy: true)).ToList();
        var body = KubeWire.List(kind.Kind, listVersion, items, next, next is null ? null : all.Count - page.Count);
        if (KubeTables.Wanted(http.Request))
        {
            return Results.Json(KubeTables.Build(kind, items, http.Request.Query["includeObject"].FirstOrDefault(), time.GetUtcNow(), (JsonObject)body["metadata"]!.DeepClone()), WebJson.Default.JsonObject);
        }

        return Results.Json(body, WebJson.Default.JsonObject);
    }

    /// <summary>
    /// Deletes every object of the kind the selectors match in the namespace. An inherited mission among them refuses the
    /// whole call (changing nothing), as deleting it alone would be refused.
    /// </summary>
    public async Task<IResult> DeleteCollectionAsync(string plural, string ns, HttpContext http)
    {
        if (!ObjectApi.TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var query = ListQuery.Parse(http.Request.Query, out var queryError);
        if (query is null)
        {
            return queryError!;
        }

        // client-go's DeleteCollection sends dryRun in a DeleteOptions body, as a single delete does.
        var (options, optionsError) = await DeleteOptions.ReadAsync(http, queryResourceVersion: null);
        if (options is null)
        {
            return optionsError!;
        }

        var dryRun = options.DryRun;

        var ct = http.RequestAborted;
        var matching = (await store.ListAsync(kind.Kind, ns, ct)).Items.Where(i => query.Matches(i.Object)).ToList();
        foreach (var item in matching)
        {
            if (await InheritedMissions.RefuseChangeAsync(store, item.Key, "delete", ct) is { } inherited)
            {
                return inherited;
            }
        }

        var deleted = new List<JsonObject>();
        foreach (var item in matching)
        {
            if (dryRun)
            {
                deleted.Add(item.Object);
                continue;
            }

            try
            {
                deleted.Add((await store.DeleteAsync(item.Key, null, ct)).Object);
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
            {
                // Deleted by someone else meanwhile: the collection is still gone, as asked.
            }
        }

        return Results.Json(KubeWire.List(kind.Kind, store.ResourceVersion, deleted), WebJson.Default.JsonObject);
    }
}
