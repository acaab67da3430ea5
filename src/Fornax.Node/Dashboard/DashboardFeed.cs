using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Dashboard;

/// <summary>
/// One open page's live feed, as server-sent events: a <c>snapshot</c> of every object (listed at one
/// resourceVersion), then <c>change</c> messages from the store's watch from that version on, each a batch of the
/// events that were ready together, and a <c>tick</c> every <see cref="DashboardFeedFactory.TickInterval"/>. One
/// request and one store watcher per page, whatever it shows; a page that fell too far behind gets <c>reset</c> and
/// connects again for a new snapshot.
/// </summary>
internal sealed class DashboardFeed(DashboardFeedFactory site, HttpContext http)
{
    private readonly HashSet<string> _sitePaths = new(StringComparer.Ordinal);
    private readonly HttpResponse _response = http.Response;

    // The watch's MoveNextAsync still running when the feed ends: an async iterator must not be disposed mid-step.
    private Task<bool>? _pending;

    public async Task RunAsync()
    {
        var ct = http.RequestAborted;
        _response.ContentType = "text/event-stream; charset=utf-8";
        _response.Headers.CacheControl = "no-store";
        var list = await site.Store.ListAsync(null, null, ct);
        foreach (var item in list.Items)
        {
            Track(item);
        }

        using var timer = new PeriodicTimer(DashboardFeedFactory.TickInterval, site.Time);
        var events = site.Store.WatchAsync(list.ResourceVersion, null, null, ct).GetAsyncEnumerator(ct);
        try
        {
            await SendAsync("snapshot", site.Snapshot(list), ct);
            await SendAsync("tick", site.Tick(_sitePaths), ct);
            await PumpAsync(events, timer, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page closed or navigated away: the normal end of a feed.
        }
        catch (StoreException e) when (e.Reason == StoreErrorReason.Gone)
        {
            await SendAsync("reset", new JsonObject { ["message"] = e.Message }, CancellationToken.None);
        }
        finally
        {
            await DrainAsync(_pending);
            await events.DisposeAsync();
        }
    }

    private async Task PumpAsync(IAsyncEnumerator<WatchEvent> events, PeriodicTimer timer, CancellationToken ct)
    {
        var next = _pending = events.MoveNextAsync().AsTask();
        var tick = timer.WaitForNextTickAsync(ct).AsTask();
        while (true)
        {
            var done = await Task.WhenAny(next, tick);
            if (done == tick)
            {
                await tick;
                await SendAsync("tick", site.Tick(_sitePaths), ct);
                tick = timer.WaitForNextTickAsync(ct).AsTask();
                continue;
            }

            _pending = null;
            if (!await next)
            {
                return;
            }

            // Everything already waiting goes out in one message: a burst costs one write and one render, not hundreds.
            var batch = new JsonArray { (JsonNode)ToJson(events.Current) };
            ValueTask<bool> more;
            while ((more = events.MoveNextAsync()).IsCompleted && batch.Count < DashboardFeedFactory.MaxBatch)
            {
                if (!await more)
                {
                    await SendAsync("change", batch, ct);
                    return;
                }

                batch.Add((JsonNode)ToJson(events.Current));
            }

            next = _pending = more.AsTask();
            await SendAsync("change", batch, ct);
        }
    }

    private static async Task DrainAsync(Task<bool>? pending)
    {
        if (pending is null)
        {
            return;
        }

        try
        {
            await pending;
        }
        catch (Exception e) when (e is OperationCanceledException or StoreException)
        {
            // The request ended (or the watcher fell behind) while the step ran: nothing left to send.
        }
    }

    private JsonObject ToJson(WatchEvent e)
    {
        Track(e.Object);
        return new JsonObject
        {
            ["type"] = e.Type switch
            {
                WatchEventType.Added => "ADDED",
                WatchEventType.Modified => "MODIFIED",
                _ => "DELETED",
            },
            ["object"] = e.Object.Object.DeepClone(),
        };
    }

    private void Track(StoredObject stored)
    {
        if (stored.Key.Kind == "Site" && stored.Object["status"]?["path"]?.GetValue<string>() is { } path)
        {
            _sitePaths.Add(path);
        }
    }

    private Task SendAsync(string name, JsonNode data, CancellationToken ct) =>
        SendAsync(name, JsonSerializer.SerializeToUtf8Bytes(data, WebJson.Default.JsonNode), ct);

    private async Task SendAsync(string name, byte[] json, CancellationToken ct)
    {
        // One "data:" line: compact JSON has no raw newlines, so the event needs no splitting.
        await _response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: {name}\ndata: "), ct);
        await _response.Body.WriteAsync(json, ct);
        await _response.Body.WriteAsync("\n\n"u8.ToArray(), ct);
        await _response.Body.FlushAsync(ct);
    }
}
