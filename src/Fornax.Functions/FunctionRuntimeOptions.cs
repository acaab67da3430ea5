using System.Diagnostics.Metrics;

namespace Fornax.Functions;

/// <summary>
/// Settings of one <see cref="FunctionRuntime"/> (one per site). Immutable; validated when the runtime starts.
/// Defaults and how they are derived are listed in docs/functions.md ("Defaults").
/// </summary>
public sealed record FunctionRuntimeOptions
{
    /// <summary>64 KiB, the WebAssembly page size: memory limits are whole pages.</summary>
    public const long WasmPageSize = 64 * 1024;

    /// <summary>Directory for compiled modules (<c>&lt;engine key&gt;/&lt;sha256&gt;.cwasm</c>); null keeps compiled code in memory only.
    /// Must be trusted: deserialized code runs unchecked, so keep it inside the site's data directory.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Site name, given to every guest as <c>FORNAX_SITE</c>.</summary>
    public string? SiteName { get; init; }

    /// <summary>Limits for functions that do not set their own: 16 MiB memory, 1 s timeout, 16 concurrent invocations, no fuel budget.</summary>
    public FunctionLimits DefaultLimits { get; init; } = new(MemoryBytes: 16 * 1024 * 1024, Timeout: TimeSpan.FromSeconds(1), MaxConcurrency: 16);

    /// <summary>
    /// Instance slots of the pooling allocator: the most invocations (of all functions) alive at once; more get TooManyRequests.
    /// Default 128 = room for 8 functions at the default concurrency of 16. Each slot reserves
    /// <see cref="MemoryReservationBytes"/> of address space (not RAM), see docs/functions.md.
    /// </summary>
    public int MaxInstances { get; init; } = 128;

    /// <summary>Ceiling for any function's memory limit (the pool's per-slot <c>max_memory_size</c>). Default 128 MiB.</summary>
    public long MaxMemoryBytes { get; init; } = 128 * 1024 * 1024;

    /// <summary>
    /// Address space reserved per linear memory. Null chooses from the process's address space: Wasmtime's default (4 GiB
    /// + guard on 64-bit hosts: bounds checks are elided) where the pool's share fits in an eighth of it (x86-64, 48-bit
    /// arm64), else <see cref="MaxMemoryBytes"/> (39-bit arm64 kernels: explicit bounds checks, 30× less reserved;
    /// wasmtime #8607). See <see cref="AddressSpace"/>.
    /// </summary>
    public long? MemoryReservationBytes { get; init; }

    /// <summary>Cap on a guest's stdout (the response). Over it the invocation fails with OutputTooLarge. Default 1 MiB.</summary>
    public int StdoutLimitBytes { get; init; } = 1024 * 1024;

    /// <summary>Cap on a guest's stderr (its log). Over it stderr is truncated, the invocation goes on. Default 64 KiB.</summary>
    public int StderrLimitBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Period of the epoch ticker. Timeouts are honoured to within one tick, so a guest stops between its timeout and
    /// timeout + tick. Default 10 ms: a tick costs one atomic increment, so 100/s is free.
    /// </summary>
    public TimeSpan EpochTick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// A guest still running after this long holds its pool thread for real, and the pool is given one more thread for
    /// as long as it runs (<see cref="LongGuestThreads"/>). Default 20 ms: a thousand times a typical invocation, short
    /// enough that a burst of looping guests cannot starve the site. Checked at epoch deadlines, so to within a tick.
    /// </summary>
    public TimeSpan LongGuestAfter { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The site's KV store for functions that bind keyspaces (<see cref="FunctionDefinition.State"/>); null: such a
    /// function does not load ("this site has no KV store").
    /// </summary>
    public State.IFunctionStateStore? State { get; init; }

    /// <summary>Longest key or hash field a guest may pass to the <c>fornax</c> API; longer traps. Default 4 KiB: keys are names, not data.</summary>
    public int MaxStateKeyBytes { get; init; } = 4 * 1024;

    /// <summary>
    /// Longest value or set member a guest may pass; longer traps. Default 1 MiB, the default response cap: a value is
    /// copied into the store (and replicated to every replica), so it is bounded before the copy.
    /// </summary>
    public int MaxStateValueBytes { get; init; } = 1024 * 1024;

    /// <summary>Enables fuel metering (about 2× the overhead of epochs, Wasmtime PR #3699); needed for <see cref="FunctionLimits.Fuel"/>.</summary>
    public bool EnableFuel { get; init; }

    /// <summary>Clock for durations and the epoch ticker. The ticker must run on real time in production: see docs/functions.md.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Creates the "Fornax.Functions" meter; null creates a plain <see cref="Meter"/>.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field and its value.</summary>
    public void Validate()
    {
        static void Fail(string field, object? value, string rule) =>
            throw new ArgumentException($"FunctionRuntimeOptions.{field}: {value ?? "null"} {rule}", field);

        if (MaxInstances < 1) Fail(nameof(MaxInstances), MaxInstances, "must be at least 1");
        if (MaxMemoryBytes < WasmPageSize || MaxMemoryBytes % WasmPageSize != 0)
            Fail(nameof(MaxMemoryBytes), MaxMemoryBytes, "must be a positive multiple of 65536 (the Wasm page size)");
        if (MemoryReservationBytes is { } r && r < MaxMemoryBytes)
            Fail(nameof(MemoryReservationBytes), r, $"must be at least MaxMemoryBytes ({MaxMemoryBytes})");
        if (StdoutLimitBytes < 1) Fail(nameof(StdoutLimitBytes), StdoutLimitBytes, "must be positive");
        if (StderrLimitBytes < 0) Fail(nameof(StderrLimitBytes), StderrLimitBytes, "must not be negative");
        if (EpochTick <= TimeSpan.Zero) Fail(nameof(EpochTick), EpochTick, "must be positive");
        if (LongGuestAfter <= TimeSpan.Zero) Fail(nameof(LongGuestAfter), LongGuestAfter, "must be positive");
        if (TimeProvider is null) Fail(nameof(TimeProvider), null, "must be set");
        if (MaxStateKeyBytes < 1) Fail(nameof(MaxStateKeyBytes), MaxStateKeyBytes, "must be positive");
        if (MaxStateValueBytes < 0) Fail(nameof(MaxStateValueBytes), MaxStateValueBytes, "must not be negative");
        ValidateLimits("DefaultLimits", DefaultLimits, requireAll: true);
    }

    internal void ValidateLimits(string path, FunctionLimits? limits, bool requireAll)
    {
        void Fail(string field, object? value, string rule) =>
            throw new ArgumentException($"{path}{(field.Length > 0 ? "." + field : "")}: {value ?? "null"} {rule}", path);

        if (limits is null)
        {
            if (requireAll) Fail("", null, "must be set");
            return;
        }
        if (limits.MemoryBytes is { } m && (m < WasmPageSize || m > MaxMemoryBytes))
            Fail(nameof(limits.MemoryBytes), m, $"must be between 65536 and MaxMemoryBytes ({MaxMemoryBytes})");
        if (limits.Timeout is { } t && t <= TimeSpan.Zero) Fail(nameof(limits.Timeout), t, "must be positive");
        if (limits.MaxConcurrency is { } c && c < 1) Fail(nameof(limits.MaxConcurrency), c, "must be at least 1");
        if (requireAll && (limits.MemoryBytes is null || limits.Timeout is null || limits.MaxConcurrency is null))
            Fail("", limits, "must set MemoryBytes, Timeout and MaxConcurrency");
    }
}
