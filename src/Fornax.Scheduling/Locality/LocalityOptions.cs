namespace Fornax.Scheduling.Locality;

/// <summary>
/// Settings of the data-locality choice (move the computation to the data, or the data to the computation) and of
/// access-pattern placement (a site that keeps reading a keyspace it does not hold becomes a replica of it; a replica it
/// took on that way and nobody reads is dropped). Immutable; <see cref="Validate"/> names the first bad field.
/// See docs/kv.md, "Moving the work or the data".
/// </summary>
public sealed record LocalityOptions
{
    /// <summary>
    /// Bytes per second assumed for a path whose bandwidth nobody configured: 100 Mbit/s, the regional links of the demo
    /// topology. A site whose own uplink has a configured (or emulated) bandwidth uses that instead.
    /// </summary>
    public double DefaultBandwidth { get; init; } = 100e6 / 8;

    /// <summary>Weight of the newest observation in the sizes seen (an exponential average): 0.5 forgets a change of size in a few calls.</summary>
    public double SizeWeight { get; init; } = 0.5;

    /// <summary>Reads of a keyspace over the link within <see cref="PromoteWindow"/> that make this site a replica of it. Default 50.</summary>
    public int PromoteAfterReads { get; init; } = 50;

    /// <summary>Window over which remote reads are counted for promotion. Default 60 s (Knative's stable window: a burst alone does not move data).</summary>
    public TimeSpan PromoteWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A replica this site took on by promotion and did not read for this long is dropped. Default 10 min.</summary>
    public TimeSpan DropAfterIdle { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most bytes the promoted replicas of a site may hold together; past it, the least recently read are dropped. Default 256 MiB.</summary>
    public long StorageBudget { get; init; } = 256L << 20;

    /// <summary>Longest wait for one read over the link; past it the read traps the guest. Default 5 s.</summary>
    public TimeSpan RemoteReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest value (or encoded set or hash) one read over the link may return: the batch frame limit of replication, 4 MiB.</summary>
    public int MaxRemoteReadBytes { get; init; } = 4 << 20;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field and its value.</summary>
    public void Validate()
    {
        static void Fail(string field, object? value, string rule) =>
            throw new ArgumentException($"LocalityOptions.{field}: {value ?? "null"} {rule}", field);

        if (!(DefaultBandwidth > 0) || double.IsInfinity(DefaultBandwidth)) Fail(nameof(DefaultBandwidth), DefaultBandwidth, "must be a positive number of bytes per second");
        if (!(SizeWeight > 0 && SizeWeight <= 1)) Fail(nameof(SizeWeight), SizeWeight, "must be in (0, 1]");
        if (PromoteAfterReads < 1) Fail(nameof(PromoteAfterReads), PromoteAfterReads, "must be at least 1");
        if (PromoteWindow <= TimeSpan.Zero) Fail(nameof(PromoteWindow), PromoteWindow, "must be positive");
        if (DropAfterIdle <= TimeSpan.Zero) Fail(nameof(DropAfterIdle), DropAfterIdle, "must be positive");
        if (StorageBudget < 0) Fail(nameof(StorageBudget), StorageBudget, "must not be negative");
        if (RemoteReadTimeout <= TimeSpan.Zero) Fail(nameof(RemoteReadTimeout), RemoteReadTimeout, "must be positive");
        if (MaxRemoteReadBytes < 1) Fail(nameof(MaxRemoteReadBytes), MaxRemoteReadBytes, "must be at least 1");
        if (TimeProvider is null) Fail(nameof(TimeProvider), null, "must be set");
    }
}
