using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Wasmtime;

namespace Fornax.Functions;

public sealed partial class FunctionRuntime
{
    /// <summary>
    /// Builds the engine. Pooling limits are derived from the options, never Wasmtime's defaults (1000 slots of 4 GiB +
    /// guards each, which cannot even be reserved on 39-bit address spaces, wasmtime #8607; mis-sizing, wasmtime #8034):
    /// <list type="bullet">
    /// <item>one request = one core instance, one memory, one table, so all three totals are <c>MaxInstances</c>;</item>
    /// <item>each memory slot may grow to <c>MaxMemoryBytes</c> (per-function limits sit below it, enforced by the store);</item>
    /// <item>no components and no GC here, so their pools are sized to nothing.</item>
    /// </list>
    /// Returns the engine and a key of every setting that changes compiled code, for the disk cache.
    /// </summary>
    private static (Engine Engine, string Key) CreateEngine(FunctionRuntimeOptions options)
    {
        uint slots = (uint)options.MaxInstances;
        using var pool = new PoolingAllocationConfig()
            .WithMaxCoreInstances(slots)
            .WithMaxMemories(slots)
            .WithMaxTables(slots)
            .WithMaxMemorySize((nuint)options.MaxMemoryBytes)
            .WithTotalComponentInstances(0)
            .WithMaxGcHeaps(0)
            // Keep up to 64 warm slots and 1 MiB of each memory resident: re-use is then a memset, not page faults.
            // 1 MiB covers a wasi-libc program's stack (64 KiB), data and first heap pages (C hello: 2 initial pages
            // plus malloc growth); at 64 KiB the C hello took 280 µs p50, at 1 MiB 85 µs (docs/benchmarks.md).
            // Cost: at most 64 slots × 1 MiB = 64 MiB resident.
            .WithMaxUnusedWarmSlots(Math.Min(slots, 64u))
            .WithLinearMemoryKeepResidentBytes(1024 * 1024)
            // Tables too are reset in place instead of decommitted (a C module's table is a few hundred bytes).
            .WithTableKeepResidentBytes(64 * 1024)
            // What is still decommitted goes in batches: each madvise ends in a TLB shootdown across cores, which in a
            // VM costs an IPI per core. A perf profile under wrk put ~25 % of the site's CPU in those flushes
            // (pvm_flush_tlb_multi); batching took /fn/hello from 9.4k to 23k req/s (docs/benchmarks.md). A quarter of
            // the slots, not half: with batches of 64 of 128 slots, 32 concurrent requests were refused "instance pool
            // is full" 1–3 times per 600k (3 runs of 3); with 32, none in 3 runs, at the same throughput.
            .WithDecommitBatchSize(Math.Max(1, slots / 4));

        var config = new Config()
            .WithEpochInterruption(true)
            .WithFuelConsumption(options.EnableFuel)
            .WithPoolingAllocationStrategy(pool);
        // Unset, it is Wasmtime's default where that fits the address space, else the memory ceiling (AddressSpace).
        var reservation = options.MemoryReservationBytes ?? AddressSpace.ReservationFor(options.MaxInstances, options.MaxMemoryBytes, AddressSpace.UserSize());
        if (reservation is { } bytes)
            config.WithStaticMemoryMaximumSize((ulong)bytes);

        var wasmtime = typeof(Engine).Assembly;
        string version = wasmtime.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? wasmtime.GetName().Version?.ToString() ?? "unknown";
        string settings = $"wasmtime-dotnet={version};arch={RuntimeInformation.ProcessArchitecture};epoch=1;" +
            $"fuel={options.EnableFuel};reservation={reservation?.ToString() ?? "default"};" +
            $"maxMemory={options.MaxMemoryBytes}";
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(settings)))[..16];
        return (new Engine(config), key);
    }
}
