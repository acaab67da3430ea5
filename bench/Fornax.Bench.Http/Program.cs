using System.Diagnostics;
using System.Globalization;
using Fornax.Bench.Http;
using Fornax.Core.Validation;

// Compare:  Fornax.Bench.Http [--function hello] [-t 2] [-c 32] [-d 20s]
//   wrk against /fn/NAME on a real site and against a bare Kestrel endpoint returning the same bytes, same run.
// Soak:     Fornax.Bench.Http --soak 10m [--function hello] [-t 2] [-c 32] [--warmup 60s] [--sample 5s]
//   wrk for the whole duration against the site; this process's RSS (the site runs in it) sampled every few seconds.
var options = Options.Parse(args);
var guest = options.Function switch
{
    "hello" => "hello/hello.wasm",
    "counter" => "counter/counter.wasm",
    _ => throw new ArgumentException($"--function: \"{options.Function}\" is not one of hello, counter"),
};

// maxConcurrency = connections: wrk never has more requests in flight, so none is refused with 429.
var (node, data) = await Sites.StartNodeAsync(options.Connections, (options.Function, guest));
try
{
    var path = $"/fn/{options.Function}";
    var nodeUrl = node.Endpoints.Ingress + path;
    if (options.Soak is { } soak)
    {
        await Soak.RunAsync(nodeUrl, options, soak);
        return;
    }

    using var http = new HttpClient();
    using var sample = await http.GetAsync(nodeUrl);
    sample.EnsureSuccessStatusCode();
    await using var bare = await Sites.StartBareAsync(path, sample);
    var bareUrl = bare.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + path;

    Console.WriteLine($"wrk -t{options.Threads} -c{options.Connections} -d{options.Duration.TotalSeconds:0}s --latency, function {options.Function}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
    // Warm both (JIT, tiering, connection set-up) before measuring; the bare endpoint first, then the site. Tiered
    // compilation keeps recompiling hot methods for many seconds on a busy machine, and JIT time inside a measured run
    // is charged to that server, so each is warmed until a 2-second round compiles almost nothing (at most 10 rounds).
    await WarmAsync(bareUrl);
    await WarmAsync(nodeUrl);
    var (bareResult, bareCpu, bareUsage) = await Measured(bareUrl);
    var (nodeResult, nodeCpu, nodeUsage) = await Measured(nodeUrl);

    Console.WriteLine();
    Console.WriteLine("| endpoint | req/s | p50 (ms) | p99 (ms) | requests | failed | server CPU µs/request | context switches/request (voluntary + involuntary) | minor faults/request |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    Row($"bare Kestrel {path}", bareResult, bareCpu, bareUsage);
    Row($"Fornax ingress {path}", nodeResult, nodeCpu, nodeUsage);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio (Fornax / bare req/s): {nodeResult.RequestsPerSecond / bareResult.RequestsPerSecond:0.000} (target ≥ 0.6)"));
    // Throughput on two shared cores moves with whatever else runs; the server's own CPU per request moves much less,
    // so it is the figure to compare changes by on a busy machine (both servers live in this process, one at a time).
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU per request (bare / Fornax): {bareCpu / nodeCpu:0.000}"));
    Console.WriteLine($"load average after: {LoadAverage()}");
    foreach (var (name, failed) in new[] { ("bare", bareResult), ("Fornax", nodeResult) }.Where(r => r.Item2.Failed > 0))
    {
        Console.WriteLine($"{name}: {failed.Failed} failed requests; wrk said:\n{failed.Raw}");
    }

    if (nodeResult.Failed > 0)
    {
        // The site counts every outcome per function: which kind of failure it was.
        using var api = new HttpClient { BaseAddress = new Uri(node.Endpoints.Api) };
        Console.WriteLine($"site stats: {await api.GetStringAsync("/api/functions/stats")}");
    }

    async Task WarmAsync(string url)
    {
        for (int round = 1; round <= 10; round++)
        {
            long before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await WrkResult.RunAsync(url, options.Threads, options.Connections, TimeSpan.FromSeconds(2));
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            if (compiled <= 5 || round == 10)
            {
                Console.WriteLine($"  warmed {url} in {round} rounds of 2 s (last round compiled {compiled} methods)");
                return;
            }
        }
    }

    // One wrk run and this process's CPU time (user + system, all threads) over it, per request served.
    async Task<(WrkResult Result, double CpuMicrosecondsPerRequest, ResourceUsage Usage)> Measured(string url)
    {
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var usageBefore = ResourceUsage.Now();
        var jitCount = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        var allocated = GC.GetTotalAllocatedBytes();
        var (gen0, gen2, pause) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var result = await WrkResult.RunAsync(url, options.Threads, options.Connections, options.Duration);
        var usage = ResourceUsage.Now() - usageBefore;
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {url}: JIT {System.Runtime.JitInfo.GetCompiledMethodCount() - jitCount} methods, {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:0} ms during the run; allocated {(double)(GC.GetTotalAllocatedBytes() - allocated) / Math.Max(1, result.Requests):0} B/request; GCs gen0 {GC.CollectionCount(0) - gen0}, gen2 {GC.CollectionCount(2) - gen2}; GC pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0} ms"));
        return (result, (self.TotalProcessorTime - cpuBefore).TotalMicroseconds / Math.Max(1, result.Requests), usage);
    }
}
finally
{
    await node.DisposeAsync();
    Directory.Delete(data, recursive: true);
}

static void Row(string name, WrkResult r, double cpuMicroseconds, ResourceUsage usage)
{
    double perRequest(long count) => (double)count / Math.Max(1, r.Requests);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {r.RequestsPerSecond:0} | {r.P50Ms:0.000} | {r.P99Ms:0.000} | {r.Requests} | {r.Failed} | {cpuMicroseconds:0.0} | {perRequest(usage.VoluntarySwitches):0.000} + {perRequest(usage.InvoluntarySwitches):0.000} | {perRequest(usage.MinorFaults):0.000} |"));
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal sealed record Options(string Function, int Threads, int Connections, TimeSpan Duration, TimeSpan? Soak, TimeSpan Warmup, TimeSpan Sample)
{
    /// <summary>A soak is bounded: an hour is plenty to see a leak and keeps a forgotten run from eating the machine.</summary>
    public static readonly TimeSpan MaxSoak = TimeSpan.FromHours(1);

    public static Options Parse(string[] args)
    {
        var o = new Options("hello", 2, 32, TimeSpan.FromSeconds(20), null, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5));
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            TimeSpan Duration(string flag)
            {
                var text = Next();
                return Durations.TryParse(text, out var d) && d > TimeSpan.Zero ? d : throw new ArgumentException($"{flag}: \"{text}\" is not a duration like 20s or 10m");
            }

            o = args[i] switch
            {
                "--function" => o with { Function = Next() },
                "-t" or "--threads" => o with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "-c" or "--connections" => o with { Connections = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "-d" or "--duration" => o with { Duration = Duration("--duration") },
                "--soak" => o with { Soak = Duration("--soak") },
                "--warmup" => o with { Warmup = Duration("--warmup") },
                "--sample" => o with { Sample = Duration("--sample") },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        if (o.Soak > MaxSoak)
        {
            throw new ArgumentException($"--soak: {o.Soak} is over the bound of {MaxSoak}");
        }

        if (o.Soak is { } soak && o.Warmup >= soak)
        {
            throw new ArgumentException($"--warmup: {o.Warmup} must be shorter than the soak ({soak})");
        }

        return o;
    }
}
