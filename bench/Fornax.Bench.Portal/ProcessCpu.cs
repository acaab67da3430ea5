using System.Diagnostics;

namespace Fornax.Bench.Portal;

/// <summary>
/// The CPU time (user + system, all threads) this process has used so far, from /proc/self/stat. Divided by the requests
/// of a phase it is a figure the machine's load does not move much, unlike a rate: what a request costs, not how soon it
/// got a core.
/// </summary>
internal static class ProcessCpu
{
    public static TimeSpan Now()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
