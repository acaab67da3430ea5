namespace Fornax.Cli.Commands;

/// <summary>
/// Waits for a condition on the context's clock, polling, and fails with one line naming what it waited for: the
/// in-process trees of <c>fornax demo</c> and <c>fornax bench</c> wait for sites to learn of each other this way.
/// </summary>
internal static class ConditionWait
{
    public static async Task UntilAsync(
        TimeProvider time, Func<Task<bool>> condition, string command, string what, TimeSpan deadline, TimeSpan interval, CancellationToken ct = default)
    {
        var until = time.GetUtcNow() + deadline;
        while (!await condition())
        {
            if (time.GetUtcNow() > until)
            {
                throw new CliException($"{command}: timed out after {deadline.TotalSeconds:0}s waiting for {what}");
            }

            await Task.Delay(interval, time, ct);
        }
    }
}
