namespace Fornax.Functions;

/// <summary>
/// Keeps the thread pool able to serve while guests run long. A guest runs synchronously on the request's pool thread;
/// the pool does not see a spinning guest as blocked, so past its minimum (the core count) it adds threads only about
/// every 500 ms, and a few guests looping until their timeout would starve Kestrel and every other function.
/// <para>
/// The fix is the one the pool itself applies to threads blocked in <c>Task.Wait</c>: compensate for exactly the
/// threads that are held. A guest that is still running at its first epoch deadline (<see cref="FunctionRuntimeOptions.LongGuestAfter"/>)
/// counts as long; while it runs, the pool's minimum is raised by one, so a fresh thread is there at once.
/// </para>
/// <para>
/// Why not simply a high minimum (cores + instance slots), as before: the pool then keeps that many workers active,
/// waking a sleeping thread for nearly every queued item; under <c>wrk</c> 63 workers took turns and context switches and
/// spinning cost more CPU than the guests (docs/benchmarks.md, "HTTP"). Short guests (microseconds) never count.
/// </para>
/// Process-wide: every runtime in the process (an in-process tree has one per site) shares one pool.
/// </summary>
internal static class LongGuestThreads
{
    private static readonly Lock Gate = new();
    private static int s_long;
    private static int s_baseline = -1;
    private static int s_applied;

    /// <summary>Guests counted as long right now, in every runtime of the process.</summary>
    public static int Count
    {
        get
        {
            lock (Gate) return s_long;
        }
    }

    /// <summary>A guest passed its first deadline and still runs: one more pool thread for as long as it does.</summary>
    public static void Began()
    {
        lock (Gate)
        {
            if (s_baseline < 0)
            {
                ThreadPool.GetMinThreads(out s_baseline, out _);
                s_applied = s_baseline;
            }

            s_long++;
            Apply();
        }
    }

    /// <summary>A long guest finished (or was stopped): its extra thread may retire.</summary>
    public static void Ended()
    {
        lock (Gate)
        {
            s_long--;
            Apply();
        }
    }

    private static void Apply()
    {
        var wanted = s_baseline + s_long;
        if (wanted == s_applied) return;
        ThreadPool.GetMinThreads(out _, out var io);
        // SetMinThreads refuses values above the pool's maximum; the maximum (32,767 workers by default) is far above
        // the instance slots that bound long guests, so a refusal would mean the host capped the pool on purpose.
        if (ThreadPool.SetMinThreads(wanted, io)) s_applied = wanted;
    }
}
