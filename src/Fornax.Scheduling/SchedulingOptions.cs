namespace Fornax.Scheduling;

/// <summary>
/// Settings of one site's scheduler. Immutable; <see cref="Validate"/> names the first bad field. The windows follow
/// Knative's autoscaler (KPA): a long stable window for the figures others plan with, a short panic window that takes
/// over while a burst is at least <see cref="PanicThreshold"/> times the capacity, so estimates react to a burst in
/// seconds yet do not flap. Defaults and their meaning: docs/functions.md, "Spill-out".
/// </summary>
public sealed record SchedulingOptions
{
    /// <summary>Concurrency slots: invocations this site runs at full speed at once. Default: one per core (guests are CPU work).</summary>
    public int Capacity { get; init; } = Environment.ProcessorCount;

    /// <summary>Averaging window of the stable estimate. Knative's default, 60 s.</summary>
    public TimeSpan StableWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Averaging window of the panic estimate. Knative's default, 6 s (a tenth of the stable window).</summary>
    public TimeSpan PanicWindow { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Width of one bucket of the windows: both windows must be whole multiples of it. Default 1 s.</summary>
    public TimeSpan Bucket { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Panic starts when the panic-window concurrency reaches this multiple of the capacity. Knative's default, 2 (200 %).</summary>
    public double PanicThreshold { get; init; } = 2.0;

    /// <summary>
    /// Invocations waiting for a slot (in flight beyond the capacity) at which a new one goes elsewhere whatever the
    /// predicted wait; null: as many as the capacity, i.e. twice the capacity in flight, where Knative panics.
    /// </summary>
    public int? QueueThreshold { get; init; }

    /// <summary>Most sites a request may pass through before it must run (the first site included in the count of hops taken). Default 3.</summary>
    public int MaxHops { get; init; } = 3;

    /// <summary>A site's reported load older than this is not used (the site is no spill target until it is heard again). Default 30 s.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The queue length that triggers a spill on its own.</summary>
    public int EffectiveQueueThreshold => QueueThreshold ?? Capacity;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field and its value.</summary>
    public void Validate()
    {
        static void Fail(string field, object? value, string rule) =>
            throw new ArgumentException($"SchedulingOptions.{field}: {value ?? "null"} {rule}", field);

        if (Capacity < 1) Fail(nameof(Capacity), Capacity, "must be at least 1");
        if (Bucket <= TimeSpan.Zero) Fail(nameof(Bucket), Bucket, "must be positive");
        if (PanicWindow < Bucket || PanicWindow.Ticks % Bucket.Ticks != 0) Fail(nameof(PanicWindow), PanicWindow, $"must be a positive multiple of Bucket ({Bucket})");
        if (StableWindow < PanicWindow || StableWindow.Ticks % Bucket.Ticks != 0) Fail(nameof(StableWindow), StableWindow, $"must be a multiple of Bucket ({Bucket}) and at least PanicWindow ({PanicWindow})");
        if (!(PanicThreshold >= 1)) Fail(nameof(PanicThreshold), PanicThreshold, "must be at least 1");
        if (QueueThreshold is < 0) Fail(nameof(QueueThreshold), QueueThreshold, "must not be negative");
        if (MaxHops < 1) Fail(nameof(MaxHops), MaxHops, "must be at least 1");
        if (StaleAfter <= TimeSpan.Zero) Fail(nameof(StaleAfter), StaleAfter, "must be positive");
        if (TimeProvider is null) Fail(nameof(TimeProvider), null, "must be set");
    }
}
