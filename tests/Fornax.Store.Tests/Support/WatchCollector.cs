namespace Fornax.Store.Tests;

/// <summary>Reads a watch in the background into a list; tests wait for a condition with a deadline.</summary>
internal sealed class WatchCollector : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private readonly List<WatchEvent> _events = [];
    private readonly SemaphoreSlim _changed = new(0);
    private readonly CancellationTokenSource _cts = new(s_deadline);
    private readonly Task _pump;

    public WatchCollector(IObjectStore store, long from, string? kind = null, string? @namespace = null)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.WatchAsync(from, kind, @namespace, _cts.Token))
                {
                    lock (_events)
                        _events.Add(e);
                    _changed.Release();
                }
            }
            finally
            {
                _changed.Release();
            }
        });
    }

    public Task Completion => _pump;

    public IReadOnlyList<WatchEvent> Snapshot()
    {
        lock (_events)
            return [.. _events];
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the events seen so far, or fails after the deadline.</summary>
    public async Task<IReadOnlyList<WatchEvent>> WaitFor(Func<IReadOnlyList<WatchEvent>, bool> condition)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (true)
        {
            var snapshot = Snapshot();
            if (condition(snapshot))
                return snapshot;
            if (_pump.IsCompleted)
            {
                await _pump; // surfaces the watch's exception, if any
                Assert.Fail($"watch ended after {snapshot.Count} events without meeting the condition");
            }
            var remaining = deadline - DateTime.UtcNow;
            Assert.True(remaining > TimeSpan.Zero && await _changed.WaitAsync(remaining),
                $"condition not met within {s_deadline}; saw {snapshot.Count} events");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _pump;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or StoreException)
        {
            // The test has asserted what it needed; how the watch ended is checked where it matters.
        }
        _cts.Dispose();
    }
}
