namespace Fornax.Functions;

/// <summary>
/// Keeps the thread pool able to serve while guests run long. A guest runs synchronously on the request's pool thread;
/// the pool does not see a spinning guest as blocked, so past its minimum (the core count) it adds threads only about
/// every 500 ms, and a few guests looping until their timeout would starve Kestrel and every other function.
/// <para>
/// The fix is the one the pool itself applies to threads blocked in <c>Task.Wait</c>: compensate for exactly the
/// threads that are held. A guest that is still running at its first epoch deadline (<see cref="FunctionRuntimeOptions.LongGuestAfter"/>)
/// counts as long; it raises the pool's minimum to one more than the threads the pool has at that moment, so a fresh
/// thread is there at once whatever the others are doing, and gives back what it added when it ends.
/// </para>
/// <para>
/// Why not simply a high minimum (cores + instance slots), as before: the pool then keeps that many workers active,
/// waking a sleeping thread for nearly every queued item; under <c>wrk</c> 63 workers took turns and context switches and
/// spinning cost more CPU than the guests (docs/benchmarks.md, "Functions over HTTP"). Short guests never count.
/// </para>
/// Process-wide: every runtime in the process (an in-process tree has one per site) shares one pool.
/// </summary>
internal static class LongGuestThreads
{
    private static readonly Lock Gate = new();
    private static int s_long;
    private static int s_baseline = -1;
    private static int s_added;

    /// <summary>Guests counted as long right now, in every runtime of the process.</summary>
    public static int Count
    {
        get
        {
            lock (Gate) return s_long;
        }
    }

    /// <summary>
    /// A guest passed its first deadline and still runs: the pool gets a thread more than it has now, for as long as the
    /// guest runs. Returns what this guest added to the minimum, to give back in <see cref="Ended"/>.
    /// </summary>
    public static int Began()
    {
        lock (Gate)
        {
            if (s_baseline < 0)
            {
                ThreadPool.GetMinThreads(out s_baseline, out _);
            }

            s_long++;
            // Relative to the threads that exist, not to the baseline: some may be held by other long guests that have
            // not reached their deadline yet, or be blocked elsewhere, and the minimum must reach past all of them.
            var current = s_baseline + s_added;
            var wanted = Math.Max(current + 1, ThreadPool.ThreadCount + 1);
            var added = Apply(wanted) ? wanted - current : 0;
            s_added += added;
            return added;
        }
    }

    /// <summary>A long guest finished (or was stopped): the threads it added may retire.</summary>
    public static void Ended(int added)
    {
        lock (Gate)
        {
            s_long--;
            s_added -= added;
            Apply(s_baseline + s_added);
        }
    }

    private static bool Apply(int wanted)
    {
        ThreadPool.GetMinThreads(out _, out var io);
        // SetMinThreads refuses values above the pool's maximum (32,767 workers by default, far above the instance slots
        // that bound long guests): a refusal means the host capped the pool on purpose, and nothing is added.
        return ThreadPool.SetMinThreads(wanted, io);
    }
}
