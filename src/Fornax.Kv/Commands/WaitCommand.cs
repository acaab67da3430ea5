using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// WAIT numreplicas timeout: blocks until the connection's writes are held by <c>numreplicas</c> neighbour sites, or
/// the timeout (milliseconds, 0 for none) passes, and answers how many hold them. A replica here is a neighbour on the
/// tree — the parent or a child — that replicates the key of the connection's latest replicated write in each keyspace
/// it wrote, and acknowledged this site's changes up to each (a neighbour acknowledges a change once it is in its own
/// log). Writes of keys outside every keyspace stay at the site: a connection with no other writes gets 0 at once.
/// </summary>
internal static class WaitCommand
{
    /// <summary>Longer than this (about 49 days, what a timer takes) is waiting for ever.</summary>
    private const long LongestTimerMs = uint.MaxValue - 1L;

    public static void Register(List<RespCommand> commands) =>
        commands.Add(new("wait", 3, CommandFlags.None, 0, 0, 0, "generic",
            "Blocks until the writes of the connection so far are held by the given number of neighbour sites, or the timeout passes.")
        {
            Session = WaitAsync,
            Since = "3.0.0",
        });

    private static async ValueTask WaitAsync(RespConnection client, RespArgs args)
    {
        if (!RespText.TryParseInt64(args[1], out var wanted))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (!RespText.TryParseInt64(args[2], out var timeoutMs))
        {
            client.Reply.Error("ERR timeout is not an integer or out of range");
            return;
        }

        if (timeoutMs < 0)
        {
            client.Reply.Error("ERR timeout is negative");
            return;
        }

        var (count, moved) = Holding(client);
        // Inside MULTI (run by EXEC, which cannot wait) WAIT answers at once, as Redis 7 does.
        if (count >= wanted || moved is null || client.InMulti)
        {
            client.Reply.Integer(count);
            return;
        }

        using var timerStop = new CancellationTokenSource();
        var timer = timeoutMs is 0 or > LongestTimerMs
            ? Task.Delay(Timeout.Infinite, timerStop.Token)
            : Task.Delay(TimeSpan.FromMilliseconds(timeoutMs), client.Server.Options.TimeProvider, timerStop.Token);
        try
        {
            while (true)
            {
                var inputOpen = await client.BlockUntilAsync(Task.WhenAny(moved, timer));
                (count, moved) = Holding(client); // the same writes: the connection runs nothing else meanwhile
                if (count >= wanted || moved is null || timer.IsCompleted || !inputOpen)
                {
                    break;
                }
            }
        }
        finally
        {
            timerStop.Cancel();
        }

        client.Reply.Integer(count);
    }

    private static (int Count, Task? Moved) Holding(RespConnection client) => client.Store.ReplicasHolding(client.WaitWrites);
}
