namespace Fornax.Functions.Tests;

/// <summary>The memory pool's reservation follows the address space: Wasmtime's default where it fits, less where not.</summary>
public sealed class AddressSpaceTests
{
    private const long MaxMemory = 128L << 20;

    // /proc/self/maps of a process on x86-64 (47-bit user space), with the kernel's [vsyscall] page above it.
    private static readonly string[] X64Maps =
    [
        "55d0c6a00000-55d0c6a21000 r--p 00000000 08:01 1234  /usr/bin/fornax",
        "7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0",
        "7ffd5e3f1000-7ffd5e412000 rw-p 00000000 00:00 0                          [stack]",
        "7ffd5e5b6000-7ffd5e5b8000 r-xp 00000000 00:00 0                          [vdso]",
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
    ];

    // The same on an arm64 kernel with 39-bit virtual addresses (512 GiB per process).
    private static readonly string[] Arm64Va39Maps =
    [
        "5582a40000-5582a61000 r-xp 00000000 b3:02 5678  /usr/bin/fornax",
        "7f8c000000-7f8c021000 rw-p 00000000 00:00 0",
        "7fd3c1b000-7fd3c3c000 rw-p 00000000 00:00 0                              [stack]",
        "7fd3cfe000-7fd3cff000 r-xp 00000000 00:00 0                              [vdso]",
    ];

    [Fact]
    public void X64_UserSpaceIs47Bits_AndTheDefaultReservationFits()
    {
        var size = SizeOf(X64Maps);

        Assert.Equal(1UL << 47, size);
        Assert.Null(AddressSpace.ReservationFor(128, MaxMemory, size));
    }

    [Fact]
    public void Arm64With39BitAddresses_TheDefaultWouldTakeItAll_SoEachMemoryReservesOnlyItsCeiling()
    {
        var size = SizeOf(Arm64Va39Maps);

        Assert.Equal(1UL << 39, size);
        // 128 × (4 GiB + 32 MiB) ≈ 516 GiB cannot be reserved in 512 GiB; 128 × 128 MiB can.
        Assert.Equal(MaxMemory, AddressSpace.ReservationFor(128, MaxMemory, size));
    }

    [Fact]
    public void FewSlotsOn39Bits_StillFitWithTheDefault()
    {
        // 8 × ~4 GiB = ~32 GiB is under an eighth of 512 GiB (64 GiB).
        Assert.Null(AddressSpace.ReservationFor(8, MaxMemory, 1UL << 39));
        Assert.Equal(MaxMemory, AddressSpace.ReservationFor(16, MaxMemory, 1UL << 39));
    }

    [Fact]
    public void UnknownAddressSpace_KeepsWasmtimesDefault()
    {
        Assert.Null(AddressSpace.UserSize(Path.Combine(Path.GetTempPath(), $"no-such-maps-{Guid.NewGuid():N}")));
        Assert.Null(AddressSpace.ReservationFor(128, MaxMemory, null));
        Assert.Equal(0UL, AddressSpace.HighestEnd(["garbage", "", "12-zz r--p"]));
    }

    [Fact]
    public void ThisProcess_ReadsItsOwnMaps_AndItsRuntimeStarts()
    {
        var size = AddressSpace.UserSize();

        Assert.NotNull(size);
        Assert.True(size >= 1UL << 39, $"user address space read as {size:X}");
        using var runtime = new FunctionRuntime(new FunctionRuntimeOptions());
    }

    private static ulong? SizeOf(string[] maps)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, maps);
            return AddressSpace.UserSize(file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
