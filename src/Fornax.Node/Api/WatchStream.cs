using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>Streams store changes as newline-delimited JSON watch events, as the Kubernetes API does.</summary>
internal static class WatchStream
{
    public static async Task RunAsync(HttpContext http, IObjectStore store, long fromResourceVersion, string kind, string? ns)
    {
        var response = http.Response;
        var ct = http.RequestAborted;
        IAsyncEnumerator<WatchEvent> events = store.WatchAsync(fromResourceVersion, kind, ns, ct).GetAsyncEnumerator(ct);
        try
        {
            // The first MoveNext is where a compacted resourceVersion is refused; answer 410 before streaming.
            var first = events.MoveNextAsync();
            var hasFirst = false;
            try
            {
                if (first.IsCompleted)
                {
                    hasFirst = await first;
                }
                else
                {
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json; charset=utf-8";
                    await response.StartAsync(ct);
                    await response.BodyWriter.FlushAsync(ct);
                    hasFirst = await first;
                }
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.Gone && !response.HasStarted)
            {
                await ApiStatus.Failure(410, "Gone", e.Message).ExecuteAsync(http);
                return;
            }

            if (!response.HasStarted)
            {
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json; charset=utf-8";
                await response.StartAsync(ct);
            }

            for (var more = hasFirst; more; more = await events.MoveNextAsync())
            {
                await WriteEventAsync(response, events.Current, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away: the normal end of a watch.
        }
        catch (StoreException e) when (e.Reason == StoreErrorReason.Gone)
        {
            // The watcher fell too far behind; tell the client so it lists again (Kubernetes sends an ERROR event).
            var status = new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["code"] = 410, ["reason"] = "Gone", ["message"] = e.Message };
            await WriteLineAsync(response, new JsonObject { ["type"] = "ERROR", ["object"] = status }, CancellationToken.None);
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    private static Task WriteEventAsync(HttpResponse response, WatchEvent e, CancellationToken ct) =>
        WriteLineAsync(response, new JsonObject
        {
            ["type"] = e.Type switch
            {
                WatchEventType.Added => "ADDED",
                WatchEventType.Modified => "MODIFIED",
                _ => "DELETED",
            },
            ["object"] = e.Object.Object.DeepClone(),
        }, ct);

    private static async Task WriteLineAsync(HttpResponse response, JsonObject line, CancellationToken ct)
    {
        await response.BodyWriter.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line), ct);
        await response.BodyWriter.WriteAsync("\n"u8.ToArray(), ct);
        await response.BodyWriter.FlushAsync(ct);
    }
}
