using Microsoft.Extensions.Time.Testing;

namespace Fornax.Scheduling.Tests;

/// <summary>The load model on a fake clock: windows of 1 s buckets, a 6 s stable and a 2 s panic window, 2 slots.</summary>
public sealed class LoadTrackerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero));

    private ILoadTracker Tracker(int capacity = 2) => ILoadTracker.Create(new SchedulingOptions
    {
        Capacity = capacity,
        StableWindow = TimeSpan.FromSeconds(6),
        PanicWindow = TimeSpan.FromSeconds(2),
        Bucket = TimeSpan.FromSeconds(1),
        TimeProvider = _time,
    });

    [Fact]
    public void Snapshot_Idle_IsZeroEverywhere()
    {
        var load = Tracker().Snapshot();

        Assert.Equal((2, 0, 0, 0.0, 0.0, false), (load.Capacity, load.InFlight, load.Queued, load.Stable, load.Panic, load.Panicking));
        Assert.Empty(load.Functions);
    }

    [Fact]
    public void Snapshot_ThreeRunningOnTwoSlots_OneQueued()
    {
        var tracker = Tracker();
        tracker.Started("f");
        tracker.Started("f");
        tracker.Started("g");

        var load = tracker.Snapshot();

        Assert.Equal((3, 1), (load.InFlight, load.Queued));
        Assert.Equal(2, load.Functions["f"].InFlight);
        Assert.Null(load.Functions["f"].ServiceTime);
    }

    [Fact]
    public void Stable_IsTheTimeWeightedAverageOverItsWindow()
    {
        var tracker = Tracker();
        tracker.Snapshot(); // the clock of the window starts here, at a bucket boundary
        tracker.Started("f");
        tracker.Started("f");
        _time.Advance(TimeSpan.FromSeconds(3)); // 2 in flight for 3 s
        tracker.Finished("f", TimeSpan.FromSeconds(3));
        tracker.Finished("f", TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(3)); // 0 for 3 s

        var load = tracker.Snapshot();

        // Stable: the 6 buckets ending in the current one (second 6, still empty) are seconds 1 to 5 with something in
        // them: 2 in flight in seconds 1 and 2, none in 3 to 5, so 4 level-seconds over 5 s. Second 0 has left the window.
        Assert.Equal(4.0 / 5, load.Stable, 9);
        // Panic: the last two buckets, both at 0 (one of them empty).
        Assert.Equal(0.0, load.Panic, 9);
        Assert.False(load.Panicking);
    }

    [Fact]
    public void Panic_BurstAtTwiceTheCapacity_PanicsAtOnceAndStaysAWholeStableWindow()
    {
        var tracker = Tracker(capacity: 1);
        tracker.Snapshot();
        tracker.Started("f");
        tracker.Started("f");
        _time.Advance(TimeSpan.FromSeconds(2));

        var burst = tracker.Snapshot();
        tracker.Finished("f", TimeSpan.FromSeconds(2));
        tracker.Finished("f", TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(5));
        var after = tracker.Snapshot();
        _time.Advance(TimeSpan.FromSeconds(1));
        var calm = tracker.Snapshot();

        Assert.True(burst.Panicking);
        Assert.Equal(2.0, burst.Panic, 9);
        Assert.Equal(2.0, burst.Effective, 9);
        // 5 s later the panic window is empty but panic holds (less than a stable window since it last held).
        Assert.True(after.Panicking);
        Assert.Equal(0.0, after.Panic, 9);
        // A whole stable window (6 s) after the burst: calm again, and the estimate is the stable average.
        Assert.False(calm.Panicking);
        Assert.Equal(calm.Stable, calm.Effective);
    }

    [Fact]
    public void ServiceTime_IsTheMeanOfTheStableWindow_AndForgetsOlderRuns()
    {
        var tracker = Tracker();
        tracker.Started("f");
        tracker.Finished("f", TimeSpan.FromMilliseconds(10));
        tracker.Started("f");
        tracker.Finished("f", TimeSpan.FromMilliseconds(30));
        tracker.Started("f");
        tracker.Finished("f", null); // refused at a limit: not a service time

        var mean = tracker.ServiceTime("f");
        _time.Advance(TimeSpan.FromSeconds(7));
        var later = tracker.ServiceTime("f");

        Assert.Equal(20, mean!.Value.TotalMilliseconds, 6);
        Assert.Null(later);
        Assert.Null(tracker.ServiceTime("unknown"));
    }

    [Fact]
    public void Create_BadOptions_NamesTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => ILoadTracker.Create(new SchedulingOptions { Capacity = 0 }));
        Assert.Equal("SchedulingOptions.Capacity: 0 must be at least 1 (Parameter 'Capacity')", error.Message);

        error = Assert.Throws<ArgumentException>(() => ILoadTracker.Create(new SchedulingOptions { PanicWindow = TimeSpan.FromMilliseconds(1500) }));
        Assert.StartsWith("SchedulingOptions.PanicWindow: 00:00:01.5000000 must be a positive multiple of Bucket", error.Message, StringComparison.Ordinal);
    }
}
