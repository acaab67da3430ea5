using System.Diagnostics;
using Fornax.Functions;

namespace Fornax.Bench.Functions;

/// <summary>
/// Per-invocation latency percentiles. BenchmarkDotNet reports statistics of iteration means; a p99 of single requests
/// needs each one timed, which is what this does (single thread, after a warm-up).
/// </summary>
internal static class LatencyProbe
{
    public static void Run(int count)
    {
        using var runtime = Guests.CreateRuntime();
        var cases = Guests.ProbeCases(runtime);
        Console.WriteLine($"| function | n | p50 (µs) | p90 (µs) | p99 (µs) | max (µs) |");
        Console.WriteLine($"| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, function, request) in cases)
        {
            for (int i = 0; i < Math.Min(count, 2000); i++) Invoke(runtime, function, request); // warm-up: JIT, pool slots
            var samples = new double[count];
            for (int i = 0; i < count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                Invoke(runtime, function, request);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            Array.Sort(samples);
            double P(double q) => samples[Math.Min(count - 1, (int)Math.Ceiling(q * count) - 1)];
            Console.WriteLine($"| {name} | {count} | {P(0.50):0.0} | {P(0.90):0.0} | {P(0.99):0.0} | {samples[^1]:0.0} |");
        }
    }

    private static void Invoke(FunctionRuntime runtime, LoadedFunction function, InvocationRequest request) => Guests.InvokeOk(runtime, function, request);
}
