namespace Fornax.Bench.Portal;

/// <summary>
/// How often this process's threads have gone to sleep and been woken so far: the sum of every thread's
/// <c>voluntary_ctxt_switches</c> (/proc/self/task/*/status). Each message a socket carries costs its receiver a wake-up
/// or two (the socket engine's thread, then the thread-pool thread it hands the work to), so per request this counts the
/// hand-overs a path makes, which on this machine cost more than the code between them. Threads that ended during a phase
/// take their counts with them: a slight undercount, the same on both paths.
/// </summary>
internal static class ProcessWaits
{
    public static long Now()
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan("voluntary_ctxt_switches:".Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return total;
    }
}
