using System.Diagnostics;

namespace Fornax.Testing;

/// <summary>
/// The one way tests wait: poll a condition until it holds or a deadline passes, then fail with a message that says
/// what was awaited (and, if given, what was seen instead). No test sleeps for a fixed time.
/// </summary>
public static class Poll
{
    /// <summary>Long enough for a busy two-core machine running eight builds; a passing test returns far sooner.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(20);

    /// <summary>How often the condition is asked: often enough to add little to a test, rarely enough to cost nothing.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="deadline"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null, Func<string>? describe = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, deadline, describe is null ? null : () => Task.FromResult(describe()));

    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="deadline"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null, Func<Task<string>>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = deadline ?? DefaultDeadline;
        // A monotonic clock: the deadline must not move with the wall clock.
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                var seen = describe is null ? "" : $"; last seen: {await describe()}";
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0.###} s waiting for {what}{seen}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value (not null) and returns it; throws like <see cref="UntilAsync(Func{Task{bool}}, string, TimeSpan?, Func{Task{string}}?)"/>.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? deadline = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? value = null;
        await UntilAsync(async () => (value = await probe()) is not null, what, deadline);
        return value!;
    }
}
