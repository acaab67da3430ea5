using System.Diagnostics;
using System.Globalization;

namespace Fornax.Bench.Http;

/// <summary>
/// Load for a long time while watching memory: wrk runs for the whole soak against the site; this process (which hosts
/// the site) has its RSS sampled every <see cref="Options.Sample"/>. Growth is measured from the end of the warm-up
/// (JIT, tiered compilation, pools and caches filling) to the end, and the largest sample after warm-up is reported too.
/// </summary>
internal static class Soak
{
    public static async Task RunAsync(string url, Options options, TimeSpan duration)
    {
        Console.WriteLine($"soak: wrk -t{options.Threads} -c{options.Connections} -d{duration.TotalSeconds:0}s --latency {url}; RSS every {options.Sample.TotalSeconds:0}s, warm-up {options.Warmup.TotalSeconds:0}s");
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var samples = new List<(TimeSpan At, long Rss, long Heap)>();
        var wrk = WrkResult.RunAsync(url, options.Threads, options.Connections, duration);

        using var timer = new PeriodicTimer(options.Sample);
        samples.Add(Take(process, clock));
        while (!wrk.IsCompleted)
        {
            var tick = timer.WaitForNextTickAsync().AsTask();
            await Task.WhenAny(tick, wrk);
            if (tick.IsCompleted)
            {
                var s = Take(process, clock);
                samples.Add(s);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.At.TotalSeconds,6:0}s  RSS {Mib(s.Rss),8:0.0} MiB  managed heap {Mib(s.Heap),7:0.0} MiB"));
            }
        }

        var result = await wrk;
        samples.Add(Take(process, clock));
        var afterWarmup = samples.Where(s => s.At >= options.Warmup).ToList();
        var baseline = afterWarmup.First();
        var last = samples[^1];
        var peak = afterWarmup.MaxBy(s => s.Rss);

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests: {result.Requests} in {duration.TotalSeconds:0}s ({result.RequestsPerSecond:0} req/s), p50 {result.P50Ms:0.000} ms, p99 {result.P99Ms:0.000} ms"));
        Console.WriteLine($"failed: {result.Failed} (non-2xx {result.Non2xx}, socket errors {result.SocketErrors})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS: start {Mib(samples[0].Rss):0.0} MiB, after warm-up ({baseline.At.TotalSeconds:0}s) {Mib(baseline.Rss):0.0} MiB, peak after warm-up {Mib(peak.Rss):0.0} MiB, end {Mib(last.Rss):0.0} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"growth after warm-up: end {Mib(last.Rss - baseline.Rss):+0.0;-0.0} MiB, peak {Mib(peak.Rss - baseline.Rss):+0.0;-0.0} MiB; managed heap {Mib(baseline.Heap):0.0} → {Mib(last.Heap):0.0} MiB"));
    }

    private static (TimeSpan At, long Rss, long Heap) Take(Process process, Stopwatch clock)
    {
        process.Refresh();
        return (clock.Elapsed, process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);
}
