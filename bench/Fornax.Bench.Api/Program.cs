// Apply throughput and apply→visible latency of one site, beside a bare Kestrel endpoint that accepts the
// same requests without storing anything (the baseline, measured in the same run).
//
//   dotnet run -c Release --project bench/Fornax.Bench.Api -- [objects=10000] [concurrency=16]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

var objects = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var dataDir = Directory.CreateTempSubdirectory("fornax-bench-").FullName;

await using var node = await SiteNode.StartAsync(new NodeOptions { DataDirectory = dataDir, Name = "bench", LogLevel = LogLevel.Warning });
await using var baseline = await StartBaselineAsync();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromMinutes(5) };

Console.WriteLine($"objects={objects} concurrency={concurrency} cores={Environment.ProcessorCount}");
var baselineResult = await RunAsync(http, baseline.Urls.First(), objects, concurrency, watch: null, prefix: "warm");
baselineResult = await RunAsync(http, baseline.Urls.First(), objects, concurrency, watch: null, prefix: "b");

var visible = new ConcurrentDictionary<string, long>();
using var watchCts = new CancellationTokenSource();
var rv = long.Parse(JsonNode.Parse(await http.GetStringAsync($"{node.Endpoints.Api}/apis/fornax.io/v1/namespaces/default/configmaps"))!["metadata"]!["resourceVersion"]!.ToString());
var watching = WatchAsync(http, $"{node.Endpoints.Api}/apis/fornax.io/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}", visible, watchCts.Token);
var fornaxResult = await RunAsync(http, node.Endpoints.Api, objects, concurrency, visible, prefix: "f");
watchCts.Cancel();
await watching.ContinueWith(_ => { }, TaskScheduler.Default);

Print("bare Kestrel (baseline)", baselineResult);
Print("fornax apply", fornaxResult);
Console.WriteLine($"ratio (fornax / baseline objects/s): {fornaxResult.PerSecond / baselineResult.PerSecond:F3}");
Directory.Delete(dataDir, recursive: true);

static async Task<Result> RunAsync(HttpClient http, string baseUrl, int objects, int concurrency, ConcurrentDictionary<string, long>? watch, string prefix)
{
    var ackLatencies = new double[objects];
    var visibleLatencies = new double[objects];
    var next = -1;
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < objects)
        {
            var name = $"{prefix}-{i}";
            var body = $"{{\"apiVersion\":\"fornax.io/v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}},\"data\":{{\"i\":\"{i}\",\"payload\":\"{new string('x', 200)}\"}}}}";
            var start = Stopwatch.GetTimestamp();
            using var response = await http.PutAsync($"{baseUrl}/apis/fornax.io/v1/namespaces/default/configmaps/{name}", new StringContent(body, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            ackLatencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (watch is not null)
            {
                // Visible = the watch stream has delivered the change (it may already have).
                long seenAt;
                while (!watch.TryGetValue(name, out seenAt))
                {
                    await Task.Yield();
                }

                visibleLatencies[i] = Math.Max(0, Stopwatch.GetElapsedTime(start, seenAt).TotalMilliseconds);
            }
        }
    }).ToArray();
    await Task.WhenAll(workers);
    var elapsed = clock.Elapsed;
    return new Result(objects / elapsed.TotalSeconds, ackLatencies, watch is null ? null : visibleLatencies);
}

static async Task WatchAsync(HttpClient http, string url, ConcurrentDictionary<string, long> visible, CancellationToken ct)
{
    using var stream = await http.GetStreamAsync(url, ct);
    using var reader = new StreamReader(stream);
    while (await reader.ReadLineAsync(ct) is { } line)
    {
        var name = JsonNode.Parse(line)!["object"]!["metadata"]!["name"]!.GetValue<string>();
        visible.TryAdd(name, Stopwatch.GetTimestamp());
    }
}

static async Task<WebApplication> StartBaselineAsync()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
    var app = builder.Build();
    // Reads the body and answers with it, as the API answers with the stored object; stores nothing.
    app.MapPut("/apis/fornax.io/v1/namespaces/{ns}/{plural}/{name}", async (HttpRequest request) =>
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        return Results.Text(body, "application/json");
    });
    await app.StartAsync();
    return app;
}

static void Print(string label, Result r)
{
    Console.WriteLine($"{label}: {r.PerSecond:F0} objects/s; ack p50 {Percentile(r.Ack, 50):F2} ms p99 {Percentile(r.Ack, 99):F2} ms"
        + (r.Visible is null ? "" : $"; apply→visible p50 {Percentile(r.Visible, 50):F2} ms p99 {Percentile(r.Visible, 99):F2} ms"));
}

static double Percentile(double[] values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[Math.Min(sorted.Length - 1, (int)(p / 100 * sorted.Length))];
}

internal sealed record Result(double PerSecond, double[] Ack, double[]? Visible);
