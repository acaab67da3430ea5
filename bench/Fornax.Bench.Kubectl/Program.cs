// kubectl against a site, beside fornax's own CLI (the baseline, measured in the same run), and the cost of
// many watchers: one site holding `missions` missions; each CLI lists them `runs` times as a table; then
// `watchers` concurrent watches (the Kubernetes framing kubectl -w and client-go use) see each of `changes` writes.
//
//   dotnet run -c Release --project bench/Fornax.Bench.Kubectl -- [missions=100] [runs=10] [watchers=100] [changes=20]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

var missions = Arg(0, 100);
var runs = Arg(1, 10);
var watchers = Arg(2, 100);
var changes = Arg(3, 20);
var dataDir = Directory.CreateTempSubdirectory("fornax-bench-kubectl-").FullName;
var home = Directory.CreateTempSubdirectory("fornax-bench-home-").FullName;
await using var node = await SiteNode.StartAsync(new NodeOptions { DataDirectory = dataDir, Name = "bench", LogLevel = LogLevel.Warning });
var api = node.Endpoints.Api;
using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromMinutes(2) };
for (var i = 0; i < missions; i++)
{
    var body = $"{{\"apiVersion\":\"fornax.io/v1\",\"kind\":\"Mission\",\"metadata\":{{\"name\":\"m-{i}\",\"labels\":{{\"app\":\"bench\"}}}},\"spec\":{{\"content\":[{{\"apiVersion\":\"fornax.io/v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"c-{i}\"}},\"data\":{{\"k\":\"v\"}}}}]}}}}";
    (await http.PutAsync($"/apis/fornax.io/v1/namespaces/default/missions/m-{i}", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
}

var fornaxDll = Path.Combine(AppContext.BaseDirectory, "fornax.dll");
Console.WriteLine($"missions={missions} runs={runs} watchers={watchers} changes={changes} cores={Environment.ProcessorCount} load={File.ReadAllText("/proc/loadavg").Trim()}");
var kubectl = await TimeAsync("kubectl", ["--server", api, "--cache-dir", Path.Combine(home, "kube-cache"), "get", "missions"]);
var fornax = await TimeAsync("dotnet", [fornaxDll, "get", "missions", "--site", api]);
Print("fornax get missions (baseline)", fornax);
Print("kubectl get missions", kubectl);
Console.WriteLine($"ratio (kubectl / fornax, median): {Median(kubectl) / Median(fornax):F2}");

var fanOut = await FanOutAsync(api, watchers, changes);
var single = await FanOutAsync(api, 1, changes);
Print("1 watcher: write acknowledged -> seen (baseline)", single);
Print($"{watchers} watchers: write acknowledged -> seen by the last", fanOut);
Console.WriteLine($"ratio ({watchers} / 1 watcher, median): {Median(fanOut) / Median(single):F2}");
Directory.Delete(dataDir, recursive: true);
Directory.Delete(home, recursive: true);

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

// One warm-up run (kubectl fills its discovery cache, dotnet its disk caches), then `runs` timed ones.
async Task<double[]> TimeAsync(string program, string[] arguments)
{
    var times = new List<double>();
    for (var run = 0; run <= runs; run++)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        start.Environment["HOME"] = home;
        start.Environment["KUBECONFIG"] = Path.Combine(home, "none");
        start.Environment["FORNAX_CONFIG"] = Path.Combine(home, "fornax-config");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || output.Split('\n').Length < missions + 1)
        {
            throw new InvalidOperationException($"{program} failed: {error}{output}");
        }

        if (run > 0)
        {
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
    }

    return [.. times];
}

// Each watcher holds a watch from the current version; each change is one label write; its figure is the time from
// the write's acknowledgement until the last watcher has read the event.
async Task<double[]> FanOutAsync(string baseUrl, int count, int writes)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = count + 4 }) { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
    var list = JsonNode.Parse(await client.GetStringAsync("/apis/fornax.io/v1/namespaces/default/missions?limit=1"))!;
    var from = list["metadata"]!["resourceVersion"]!.ToString();
    using var cts = new CancellationTokenSource();
    var seen = new long[count];
    var readers = new List<Task>();
    for (var w = 0; w < count; w++)
    {
        var index = w;
        var stream = await client.GetStreamAsync($"/apis/fornax.io/v1/namespaces/default/missions?watch=true&resourceVersion={from}", cts.Token);
        readers.Add(Task.Run(async () =>
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    Interlocked.Increment(ref seen[index]);
                }
            }
        }));
    }

    var times = new List<double>();
    for (var change = 1; change <= writes; change++)
    {
        var patch = new StringContent($"{{\"metadata\":{{\"labels\":{{\"change\":\"c{change}-{count}\"}}}}}}", Encoding.UTF8, "application/merge-patch+json");
        using var response = await client.PatchAsync("/apis/fornax.io/v1/namespaces/default/missions/m-0", patch);
        response.EnsureSuccessStatusCode();
        var acknowledged = Stopwatch.GetTimestamp();
        while (seen.Any(s => Interlocked.Read(ref s) < change))
        {
            await Task.Yield();
        }

        times.Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
    }

    cts.Cancel();
    await Task.WhenAll(readers).ContinueWith(_ => { }, TaskScheduler.Default);
    return [.. times];
}

static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

static void Print(string what, double[] values) =>
    Console.WriteLine($"{what}: median {Median(values):F1} ms, min {values.Min():F1} ms, max {values.Max():F1} ms (n={values.Length})");
