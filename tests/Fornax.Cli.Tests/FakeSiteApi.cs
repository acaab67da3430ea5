using System.Text;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Cli.Tests;

/// <summary>
/// A small, in-memory stand-in for the site API of docs/api.md, on a real Kestrel listener at 127.0.0.1:0:
/// objects (list, get, apply with outcomes, delete, watch), blobs and /api/site. It plays the site's part in
/// missions too: after a Mission is applied it reports the state for itself (Active or not match, by the
/// placement) and, when Active, stores the content. Replace with the real node when Fornax.Node.SiteNode lands.
/// </summary>
public sealed class FakeSiteApi : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Plural, string Ns, string Name), Entry> _objects = [];
    private readonly List<(long Version, string Plural, string Ns, string Type, JsonObject Object)> _events = [];
    private readonly Dictionary<string, byte[]> _blobs = [];
    private readonly List<string> _requests = [];
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _watchStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;
    private WebApplication? _app;

    private sealed record Entry(JsonObject Object, string Desired);

    private FakeSiteApi(string name, string tier, TimeProvider time)
    {
        SiteName = name;
        Tier = tier;
        _time = time;
    }

    public string SiteName { get; }

    public string Tier { get; }

    public string Url { get; private set; } = "";

    /// <summary>Every request as <c>METHOD /path</c>, in order.</summary>
    public IReadOnlyList<string> Requests { get { lock (_gate) { return [.. _requests]; } } }

    public static async Task<FakeSiteApi> StartAsync(string name = "cloud", string tier = SiteTiers.Cloud, TimeProvider? time = null)
    {
        var fake = new FakeSiteApi(name, tier, time ?? TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            lock (fake._gate)
            {
                fake._requests.Add($"{context.Request.Method} {context.Request.Path}");
            }

            await next(context);
        });
        const string Objects = "/apis/fornax.io/v1/namespaces/{ns}/{plural}";
        app.MapGet("/apis/fornax.io/v1/{plural}", context => fake.ListAsync(context, null));
        app.MapGet(Objects, context => context.Request.Query["watch"] == "true" ? fake.WatchAsync(context) : fake.ListAsync(context, (string)context.Request.RouteValues["ns"]!));
        app.MapGet(Objects + "/{name}", fake.GetAsync);
        app.MapPut(Objects + "/{name}", fake.ApplyAsync);
        app.MapDelete(Objects + "/{name}", fake.DeleteAsync);
        app.MapMethods("/blobs/{digest}", ["GET", "HEAD"], fake.GetBlobAsync);
        app.MapPut("/blobs/{digest}", fake.PutBlobAsync);
        app.MapGet("/api/site", context => Json(context, 200, new JsonObject
        {
            ["name"] = fake.SiteName,
            ["path"] = fake.SiteName,
            ["tier"] = fake.Tier,
            ["endpoints"] = new JsonObject { ["api"] = fake.Url, ["ingress"] = fake.Url, ["resp"] = "redis://127.0.0.1:0" },
        }));
        await app.StartAsync();
        fake._app = app;
        fake.Url = app.Urls.First();
        return fake;
    }

    /// <summary>Stores an object as the site would have it (status and all), bypassing the API.</summary>
    public void Seed(FornaxObject obj)
    {
        lock (_gate)
        {
            Store(ObjectSerializer.ToJsonObject(obj), obj.Kind);
        }
    }

    public JsonObject? Find(string plural, string name, string ns = Kinds.DefaultNamespace)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((plural, ns, name), out var entry) ? (JsonObject)entry.Object.DeepClone() : null;
        }
    }

    /// <summary>Completes when the first watch has sent what it had and waits for changes.</summary>
    public Task WatchStarted => _watchStarted.Task;

    public int Count { get { lock (_gate) { return _objects.Count; } } }

    public byte[]? Blob(string digest)
    {
        lock (_gate)
        {
            return _blobs.GetValueOrDefault(digest);
        }
    }

    private Task ListAsync(HttpContext context, string? ns)
    {
        if (Plural(context) is not { } kind)
        {
            return Failure(context, 404, "NotFound", "unknown kind");
        }

        lock (_gate)
        {
            var items = _objects.Where(o => o.Key.Plural == kind.Plural && (ns is null || o.Key.Ns == ns)).Select(o => (JsonNode)o.Value.Object.DeepClone());
            return Json(context, 200, new JsonObject
            {
                ["apiVersion"] = Kinds.ApiVersion,
                ["kind"] = kind.Kind + "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version },
                ["items"] = new JsonArray([.. items]),
            });
        }
    }

    private Task GetAsync(HttpContext context)
    {
        var (plural, ns, name) = Key(context);
        return Find(plural, name, ns) is { } obj ? Json(context, 200, obj) : Failure(context, 404, "NotFound", $"\"{name}\" not found");
    }

    private async Task ApplyAsync(HttpContext context)
    {
        var (plural, ns, name) = Key(context);
        FornaxObject obj;
        try
        {
            obj = ObjectSerializer.FromJson(await new StreamReader(context.Request.Body).ReadToEndAsync());
        }
        catch (ObjectValidationException e)
        {
            await Failure(context, 400, "BadRequest", e.Message);
            return;
        }

        var errors = ObjectValidator.Validate(obj);
        if (Kinds.Find(obj.Kind)?.Plural != plural || obj.Metadata.Name != name || errors.Count > 0)
        {
            await Failure(context, 422, "Invalid", $"{obj.Kind} \"{name}\": {(errors.Count > 0 ? errors[0] : "kind or name differs from the path")}", errors);
            return;
        }

        obj.Metadata.Namespace = ns;
        string outcome;
        JsonObject stored;
        lock (_gate)
        {
            (outcome, stored) = Store(ObjectSerializer.ToJsonObject(obj), obj.Kind);
        }

        if (obj is Mission mission && outcome != "unchanged")
        {
            // The site settles missions after answering, as the real one does.
            _ = Task.Run(() => Settle(mission));
        }

        context.Response.Headers["Fornax-Apply-Outcome"] = outcome;
        await Json(context, outcome == "created" ? 201 : 200, stored);
    }

    private Task DeleteAsync(HttpContext context)
    {
        var key = Key(context);
        lock (_gate)
        {
            if (!_objects.Remove(key, out var entry))
            {
                return Failure(context, 404, "NotFound", $"\"{key.Name}\" not found");
            }

            Record(key.Plural, key.Ns, "DELETED", entry.Object);
            return Json(context, 200, entry.Object);
        }
    }

    private async Task WatchAsync(HttpContext context)
    {
        var (plural, ns) = ((string)context.Request.RouteValues["plural"]!, (string)context.Request.RouteValues["ns"]!);
        var from = long.Parse(context.Request.Query["resourceVersion"].FirstOrDefault() ?? "0");
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync();
        while (!context.RequestAborted.IsCancellationRequested)
        {
            List<(long Version, string Plural, string Ns, string Type, JsonObject Object)> pending;
            Task changed;
            lock (_gate)
            {
                pending = _events.Where(e => e.Version > from && e.Plural == plural && e.Ns == ns).ToList();
                changed = _changed.Task;
            }

            foreach (var e in pending)
            {
                await context.Response.WriteAsync(new JsonObject { ["type"] = e.Type, ["object"] = e.Object.DeepClone() }.ToJsonString() + "\n");
                from = e.Version;
            }

            await context.Response.Body.FlushAsync();
            _watchStarted.TrySetResult();
            try
            {
                await changed.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task GetBlobAsync(HttpContext context)
    {
        var blob = Blob((string)context.Request.RouteValues["digest"]!);
        if (blob is null)
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }

        context.Response.ContentLength = blob.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(blob).AsTask();
    }

    private async Task PutBlobAsync(HttpContext context)
    {
        var digest = (string)context.Request.RouteValues["digest"]!;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (Manifests.FunctionModules.Digest(body.ToArray()) != digest)
        {
            await Failure(context, 400, "BadRequest", "the body does not hash to the digest");
            return;
        }

        lock (_gate)
        {
            _blobs[digest] = body.ToArray();
        }

        context.Response.StatusCode = 201;
    }

    /// <summary>What the site does with a mission: report its own state, and store the content where it is Active.</summary>
    private void Settle(Mission mission)
    {
        var labels = new Dictionary<string, string> { ["fornax.io/site"] = SiteName, ["fornax.io/tier"] = Tier };
        var selected = mission.Spec.Placement?.Selects(SiteName, SiteName, labels) ?? true;
        lock (_gate)
        {
            if (selected)
            {
                foreach (var item in mission.Spec.Content ?? [])
                {
                    Store(ObjectSerializer.ToJsonObject(item), item.Kind);
                }
            }

            var key = ("missions", mission.Metadata.NamespaceOrDefault, mission.Metadata.Name);
            if (_objects.TryGetValue(key, out var entry))
            {
                var updated = (JsonObject)entry.Object.DeepClone();
                updated["status"] = new JsonObject { ["state"] = new JsonObject { [SiteName] = selected ? MissionStates.Active : MissionStates.NotMatch } };
                updated["metadata"]!["resourceVersion"] = ++_version;
                _objects[key] = entry with { Object = updated };
                Record(key.Item1, key.Item2, "MODIFIED", updated);
            }
        }
    }

    /// <summary>Apply semantics: unchanged when the desired state (all but status and server-set metadata) is the same.</summary>
    private (string Outcome, JsonObject Stored) Store(JsonObject obj, string kindName)
    {
        var kind = Kinds.Get(kindName);
        var meta = obj["metadata"]!.AsObject();
        var key = (kind.Plural, (string?)meta["namespace"] ?? Kinds.DefaultNamespace, (string)meta["name"]!);
        meta["namespace"] = key.Item2;
        var desired = (JsonObject)obj.DeepClone();
        desired.Remove("status");
        foreach (var field in new[] { "resourceVersion", "generation", "creationTimestamp", "uid" })
        {
            desired["metadata"]!.AsObject().Remove(field);
        }

        var desiredText = desired.ToJsonString();
        _objects.TryGetValue(key, out var existing);
        if (existing is not null && existing.Desired == desiredText && obj["status"] is null)
        {
            return ("unchanged", (JsonObject)existing.Object.DeepClone());
        }

        meta["resourceVersion"] = ++_version;
        meta["generation"] = (existing?.Object["metadata"]?["generation"]?.GetValue<long>() ?? 0) + 1;
        meta["creationTimestamp"] = existing?.Object["metadata"]?["creationTimestamp"]?.DeepClone() ?? _time.GetUtcNow().ToString("O");
        meta["uid"] = existing?.Object["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        if (obj["status"] is null && existing?.Object["status"] is { } status)
        {
            obj["status"] = status.DeepClone();
        }

        _objects[key] = new Entry(obj, desiredText);
        Record(key.Plural, key.Item2, existing is null ? "ADDED" : "MODIFIED", obj);
        return (existing is null ? "created" : "configured", (JsonObject)obj.DeepClone());
    }

    private void Record(string plural, string ns, string type, JsonObject obj)
    {
        _events.Add((_version, plural, ns, type, (JsonObject)obj.DeepClone()));
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private static KindInfo? Plural(HttpContext context) =>
        Kinds.All.FirstOrDefault(k => k.Stored && k.Plural == (string)context.Request.RouteValues["plural"]!);

    private static (string Plural, string Ns, string Name) Key(HttpContext context) =>
        ((string)context.Request.RouteValues["plural"]!, (string)context.Request.RouteValues["ns"]!, (string)context.Request.RouteValues["name"]!);

    private static Task Json(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    private static Task Failure(HttpContext context, int code, string reason, string message, IReadOnlyList<ValidationError>? causes = null) =>
        Json(context, code, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Status",
            ["status"] = "Failure",
            ["code"] = code,
            ["reason"] = reason,
            ["message"] = message,
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray([.. (causes ?? []).Select(c => (JsonNode)new JsonObject { ["field"] = c.Path, ["message"] = c.Message })]),
            },
        });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
