using Fornax.Testing;

namespace Fornax.Store.Tests;

/// <summary>
/// <see cref="ListThenWatch.FollowAsync"/>: a follower that falls behind the live buffer, and then behind the compacted
/// history, still ends with exactly what the store holds.
/// </summary>
public sealed class ListThenWatchTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Follow_FallsBehindBufferAndCompactedHistory_ListsAgainAndConverges()
    {
        // One event of live buffer, one of history: a follower that stops reading for a moment is Gone twice over.
        using var store = TestObjects.Open(_dir.Path, watchHistory: 1, watchBuffer: 1);
        await store.CreateAsync(TestObjects.ConfigMap("before", "0"));
        var gate = new Lock();
        var seen = new Dictionary<string, string>();
        var lists = 0;
        var gone = 0;
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        var follower = store.FollowAsync("ConfigMap",
            (list, _) =>
            {
                lock (gate)
                {
                    lists++;
                    seen = list.Items.ToDictionary(i => i.Key.Name, i => i.Object["data"]!["key"]!.GetValue<string>());
                }

                return Task.CompletedTask;
            },
            async (change, _) =>
            {
                lock (gate)
                {
                    if (change.Type == WatchEventType.Deleted)
                    {
                        seen.Remove(change.Object.Key.Name);
                    }
                    else
                    {
                        seen[change.Object.Key.Name] = change.Object.Object["data"]!["key"]!.GetValue<string>();
                    }
                }

                // The first event stalls the follower while the writes below pass it by.
                if (stalled.TrySetResult())
                {
                    await resume.Task;
                }
            },
            stop.Token,
            onGone: _ => gone++);

        await store.CreateAsync(TestObjects.ConfigMap("first", "1"));
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 50; i++)
        {
            await store.ApplyAsync(TestObjects.ConfigMap($"cm{i % 10}", $"{i}"));
        }

        await store.DeleteAsync(new ObjectKey("ConfigMap", "default", "before"));
        resume.SetResult();

        var expected = (await store.ListAsync("ConfigMap", null)).Items.ToDictionary(i => i.Key.Name, i => i.Object["data"]!["key"]!.GetValue<string>());
        bool Converged()
        {
            lock (gate)
            {
                return seen.Count == expected.Count && !seen.Except(expected).Any();
            }
        }

        await Poll.UntilAsync(Converged, "the follower to see what the store holds");
        await stop.CancelAsync();
        await follower;
        Assert.Equal(expected.OrderBy(e => e.Key), seen.OrderBy(e => e.Key));
        Assert.True(gone >= 1, "the follower never fell behind: the test proves nothing");
        Assert.True(lists >= 2, $"listed {lists} time(s): the compacted history must have made it list again");
    }
}
