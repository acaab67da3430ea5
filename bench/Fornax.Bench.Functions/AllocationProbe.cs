using System.Diagnostics.Tracing;
using Fornax.Functions;

namespace Fornax.Bench.Functions;

/// <summary>
/// Managed bytes allocated per invocation, and by which types. A request that allocates a few KiB makes the site run a
/// gen0 GC every few hundred requests, and every GC pauses all of the site's threads, so this is worth watching as
/// closely as latency. The types come from the runtime's own sampling (<c>GCAllocationTick</c>, one event per ~100 KB
/// allocated), read in-process with an <see cref="EventListener"/>: the share of ticks per type approximates its share of
/// the bytes.
/// </summary>
internal static class AllocationProbe
{
    public static void Run(int count)
    {
        using var runtime = Guests.CreateRuntime();
        var cases = Guests.ProbeCases(runtime);
        foreach (var (name, function, request) in cases)
        {
            for (int i = 0; i < Math.Min(count, 2000); i++) Invoke(runtime, function, request); // JIT, pool slots, caches
            using var ticks = new AllocationTicks();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++) Invoke(runtime, function, request);
            long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / count;
            Console.WriteLine($"{name}: {perCall} B per invocation ({count} invocations)");
            foreach (var (type, share) in ticks.Shares().Take(15))
            {
                Console.WriteLine($"  {share,6:P1}  {type}");
            }
        }
    }

    private static void Invoke(FunctionRuntime runtime, LoadedFunction function, InvocationRequest request) => Guests.InvokeOk(runtime, function, request);

    /// <summary>Counts GCAllocationTick events per type name from the runtime provider.</summary>
    private sealed class AllocationTicks : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly Dictionary<string, long> _bytes = [];
        private readonly Lock _gate = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (!e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) ?? true) return;
            int index = e.PayloadNames!.IndexOf("TypeName");
            int amount = e.PayloadNames.IndexOf("AllocationAmount");
            if (index < 0 || amount < 0) return;
            string type = e.Payload![index] as string ?? "?";
            long bytes = Convert.ToInt64(e.Payload[amount], System.Globalization.CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + bytes;
            }
        }

        public IEnumerable<(string Type, double Share)> Shares()
        {
            lock (_gate)
            {
                double total = Math.Max(1, _bytes.Values.Sum());
                return _bytes.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value / total)).ToList();
            }
        }
    }
}
