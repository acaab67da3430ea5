using System.Globalization;

namespace Fornax.Functions;

/// <summary>
/// How much virtual address space this process has, and what the memory pool may reserve of it. Wasmtime's default
/// reserves 4 GiB plus a 32 MiB guard per linear memory (bounds checks elided): 128 slots are ~516 GiB, more than a
/// 39-bit arm64 kernel gives a process (512 GiB, common on boards such as the Raspberry Pi), where the engine then
/// cannot be made at all (wasmtime #8607). So the default applies only where it fits comfortably.
/// </summary>
internal static class AddressSpace
{
    /// <summary>Wasmtime's reservation per memory on 64-bit hosts: 4 GiB plus its default 32 MiB guard.</summary>
    internal const long DefaultReservationPerMemory = (4L << 30) + (32L << 20);

    /// <summary>The pool may take at most this share of the address space with Wasmtime's default; else it reserves less.</summary>
    internal const int ShareDivisor = 8;

    /// <summary>
    /// The per-memory reservation to configure when none was set: null (Wasmtime's default) when
    /// <paramref name="slots"/> default reservations take at most an eighth of <paramref name="userAddressSpace"/>
    /// (or it is unknown), otherwise <paramref name="maxMemoryBytes"/> (explicit bounds checks, 30× less reserved).
    /// </summary>
    internal static long? ReservationFor(int slots, long maxMemoryBytes, ulong? userAddressSpace) =>
        userAddressSpace is { } space && (ulong)slots * DefaultReservationPerMemory > space / ShareDivisor
            ? maxMemoryBytes
            : null;

    /// <summary>
    /// The size of this process's user address space, as a power of two covering its highest mapping (the stack and the
    /// vDSO sit at the top: 2^47 on x86-64 and 48-bit arm64, 2^39 on 39-bit arm64); null when it cannot be read.
    /// </summary>
    internal static ulong? UserSize(string mapsFile = "/proc/self/maps")
    {
        try
        {
            return SizeCovering(HighestEnd(File.ReadLines(mapsFile)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The highest end address among <c>/proc/PID/maps</c> lines (<c>start-end perms …</c>), or 0 when none parse.</summary>
    internal static ulong HighestEnd(IEnumerable<string> mapsLines)
    {
        ulong highest = 0;
        foreach (var line in mapsLines)
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash <= 0 || space <= dash
                || !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
            {
                continue;
            }

            // [vsyscall] sits above the user address space on x86-64 (0xffffffffff600000): it is the kernel's, not ours.
            if (end <= 1UL << 63)
            {
                highest = Math.Max(highest, end);
            }
        }

        return highest;
    }

    private static ulong? SizeCovering(ulong highest) =>
        highest == 0 ? null : 1UL << (64 - System.Numerics.BitOperations.LeadingZeroCount(highest - 1));
}
