namespace Fornax.Functions.Wasi;

/// <summary>Names and numbers of WASI preview 1 (<c>wasi_snapshot_preview1</c>) that the host functions return.</summary>
internal static class Preview1
{
    public const string Module = "wasi_snapshot_preview1";

    // errno values of wasi_snapshot_preview1's `errno` type.
    public const int Success = 0;
    public const int BadFileDescriptor = 8;
    /// <summary>
    /// A pointer or length from the guest reaches past its memory. The host functions check every guest range against
    /// the memory's current size (<see cref="Native.GuestMemory"/>) and return this, as a kernel returns EFAULT, instead
    /// of trapping the guest.
    /// </summary>
    public const int Fault = 21;
    public const int Invalid = 28;
    public const int IllegalSeek = 70;

    // filetype: what fd_fdstat_get reports for a descriptor.
    public const byte FiletypeUnknown = 0;

    // rights (a u64 bit set).
    public const ulong RightFdRead = 1UL << 1;
    public const ulong RightFdWrite = 1UL << 6;
}
