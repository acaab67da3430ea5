using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// A watch as Kubernetes serves it: newline-delimited <c>{"type","object"}</c> events; <c>resourceVersion</c> unset
/// or <c>0</c> starts with an ADDED event per existing object (then live), <c>N</c> replays every change after N;
/// <c>labelSelector</c>/<c>fieldSelector</c> filter; <c>allowWatchBookmarks</c> adds BOOKMARK events;
/// <c>timeoutSeconds</c> ends the stream; a compacted version answers 410 Gone (a Status, or an ERROR event once streaming);
/// a Table Accept header turns each object into a one-row Table.
/// </summary>
internal sealed class KubeWatch(HttpContext http, IObjectStore store, KindInfo kind, string? ns, ListQuery query, TimeProvider time)
{
    /// <summary>How often an idle watch with <c>allowWatchBookmarks</c> tells the client how far it is (Kubernetes: about a minute).</summary>
    public static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(15);

    private readonly HttpResponse _response = http.Response;
    private readonly bool _table = KubeTables.Wanted(http.Request);
    private long _lastResourceVersion;

    public async Task RunAsync()
    {
        var q = http.Request.Query;
        var rvText = q["resourceVersion"].FirstOrDefault();
        long from = 0;
        if (!string.IsNullOrEmpty(rvText) && !long.TryParse(rvText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from))
        {
            // Digits only: "+3", "-1" and "1.5" are refused, not guessed at.
            await ApiStatus.BadRequest($"resourceVersion: \"{rvText}\" is not a resource version (a whole number, 0 or more, such as a list's metadata.resourceVersion)").ExecuteAsync(http);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (int.TryParse(q["timeoutSeconds"].FirstOrDefault(), out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        var ct = timeout.Token;
        var bookmarks = q["allowWatchBookmarks"].FirstOrDefault() is "true" or "1";
        try
        {
            if (from == 0)
            {
                // Kubernetes' "start at most recent": the current state as ADDED events, then every change after it.
                var list = await store.ListAsync(kind.Kind, ns, ct);
                await StartAsync(ct);
                foreach (var item in list.Items.Where(i => query.Matches(i.Object)))
                {
                    await WriteAsync("ADDED", item.Object, ct);
                }

                from = list.ResourceVersion;
            }

            _lastResourceVersion = from;
            await StreamAsync(from, bookmarks, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or timeoutSeconds passed: the normal end of a watch.
        }
    }

    private async Task StreamAsync(long from, bool bookmarks, CancellationToken ct)
    {
        var events = store.WatchAsync(from, kind.Kind, ns, ct).GetAsyncEnumerator(ct);
        try
        {
            Task<bool> next;
            try
            {
                // The first MoveNext is where a compacted resourceVersion is refused; answer 410 before streaming when it is.
                var first = events.MoveNextAsync();
                next = first.IsCompleted ? Task.FromResult(await first) : first.AsTask();
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.Gone && !_response.HasStarted)
            {
                await ApiStatus.Failure(410, "Gone", e.Message).ExecuteAsync(http);
                return;
            }

            await StartAsync(ct);
            var nextBookmark = time.GetUtcNow() + BookmarkInterval;
            while (true)
            {
                if (bookmarks && !next.IsCompleted)
                {
                    var wait = nextBookmark - time.GetUtcNow();
                    var delay = wait > TimeSpan.Zero ? Task.Delay(wait, time, ct) : Task.CompletedTask;
                    if (await Task.WhenAny(next, delay) != next)
                    {
                        await delay;
                        await WriteBookmarkAsync(ct);
                        nextBookmark = time.GetUtcNow() + BookmarkInterval;
                        continue;
                    }
                }

                if (!await next)
                {
                    break;
                }

                var change = events.Current;
                _lastResourceVersion = change.ResourceVersion;
                if (query.Matches(change.Object.Object))
                {
                    await WriteAsync(change.Type switch { WatchEventType.Added => "ADDED", WatchEventType.Modified => "MODIFIED", _ => "DELETED" }, change.Object.Object, ct);
                }

                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (StoreException e) when (e.Reason == StoreErrorReason.Gone)
        {
            // The watcher fell too far behind; Kubernetes ends such a watch with an ERROR event carrying a 410 Status.
            var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure", ["code"] = 410, ["reason"] = "Gone", ["message"] = e.Message };
            await WriteLineAsync(new JsonObject { ["type"] = "ERROR", ["object"] = status }, CancellationToken.None);
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    private async Task StartAsync(CancellationToken ct)
    {
        if (_response.HasStarted)
        {
            return;
        }

        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = "application/json";
        await _response.StartAsync(ct);
        await _response.BodyWriter.FlushAsync(ct);
    }

    private Task WriteAsync(string type, JsonObject stored, CancellationToken ct)
    {
        var obj = KubeWire.Object((JsonObject)stored.DeepClone());
        JsonObject rendered = _table ? KubeTables.Build(kind, [obj], http.Request.Query["includeObject"].FirstOrDefault(), time.GetUtcNow(), null) : obj;
        return WriteLineAsync(new JsonObject { ["type"] = type, ["object"] = rendered }, ct);
    }

    private Task WriteBookmarkAsync(CancellationToken ct) => WriteLineAsync(new JsonObject
    {
        ["type"] = "BOOKMARK",
        ["object"] = new JsonObject
        {
            ["kind"] = kind.Kind,
            ["apiVersion"] = Kinds.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = KubeWire.Version(_lastResourceVersion) },
        },
    }, ct);

    private async Task WriteLineAsync(JsonObject line, CancellationToken ct)
    {
        await _response.BodyWriter.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line, WebJson.Default.JsonObject), ct);
        await _response.BodyWriter.WriteAsync("\n"u8.ToArray(), ct);
        await _response.BodyWriter.FlushAsync(ct);
    }
}
