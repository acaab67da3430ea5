using System.Runtime.InteropServices;

namespace Fornax.Bench.Http;

/// <summary>
/// This process's scheduler and memory counters from <c>getrusage(RUSAGE_SELF)</c>: summed over every thread, including
/// threads that ended, which <c>/proc/self/status</c> (the main thread's only) does not give. Context switches and minor
/// page faults per request tell where a server's CPU goes beyond its own code (waking threads, re-touching memory).
/// </summary>
internal readonly record struct ResourceUsage(long VoluntarySwitches, long InvoluntarySwitches, long MinorFaults)
{
    public static ResourceUsage Now()
    {
        if (!OperatingSystem.IsLinux() || getrusage(0, out var usage) != 0) return default;
        return new ResourceUsage(usage.Nvcsw, usage.Nivcsw, usage.Minflt);
    }

    public static ResourceUsage operator -(ResourceUsage a, ResourceUsage b) =>
        new(a.VoluntarySwitches - b.VoluntarySwitches, a.InvoluntarySwitches - b.InvoluntarySwitches, a.MinorFaults - b.MinorFaults);

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long Maxrss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }
}
