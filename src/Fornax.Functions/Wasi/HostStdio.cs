using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Native;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Replaces Wasmtime's WASI calls on the three stdio descriptors so stdio never leaves the process:
/// stdin is read straight from the request body, stdout/stderr go into capped buffers.
/// Why not <c>WasiConfiguration</c>: its stdin is a file path only (a temp file per request), and its output callback runs on
/// another thread and cannot stop the guest. Here a write past the stdout cap traps the guest at once.
/// The descriptors are pipes, as a CGI program's are: not a terminal, not seekable. Every other descriptor is unknown
/// (EBADF): the guest is given no preopened directories, so it can never open one.
/// </summary>
internal static unsafe class HostStdio
{
    /// <summary>The trap message when a guest writes past the stdout cap (the invocation is then classified by the cap, not the trap).</summary>
    private const string OutputCapExceeded = "stdout exceeded its cap";

    /// <summary>What <see cref="Define"/> serves.</summary>
    public static readonly string[] Names = ["fd_read", "fd_write", "fd_fdstat_get", "fd_seek", "fd_close"];

    public static void Define(nint linker)
    {
        HostCall.Define(linker, "fd_read", [HostCall.I32, HostCall.I32, HostCall.I32, HostCall.I32], true, &FdRead);
        HostCall.Define(linker, "fd_write", [HostCall.I32, HostCall.I32, HostCall.I32, HostCall.I32], true, &FdWrite);
        HostCall.Define(linker, "fd_fdstat_get", [HostCall.I32, HostCall.I32], true, &FdStatGet);
        HostCall.Define(linker, "fd_seek", [HostCall.I32, HostCall.I64, HostCall.I32, HostCall.I32], true, &FdSeek);
        HostCall.Define(linker, "fd_close", [HostCall.I32], true, &FdClose);
    }

    private static bool IsStdio(int fd) => fd is >= 0 and <= 2;

    /// <summary>
    /// fd_fdstat_get(fd, *fdstat): a 24-byte <c>fdstat</c> { u8 filetype; u16 flags @2; u64 rights_base @8;
    /// u64 rights_inheriting @16 }. Unknown filetype and no seek right: libc treats stdout as a pipe (fully buffered),
    /// so a guest's output arrives in one write rather than one per line.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint FdStatGet(nint env, nint caller, NativeValue* slots, nuint count)
    {
        int fd = slots[0].I32;
        uint pointer = (uint)slots[1].I32;
        slots[0].I32 = Preview1.Fault;
        try
        {
            if (!IsStdio(fd))
            {
                slots[0].I32 = Preview1.BadFileDescriptor;
            }
            else if (InvocationContext.From(caller) is { } context && context.TryMemory(caller, out var memory) && memory.TryGet(pointer, 24, out var stat))
            {
                stat.Clear();
                stat[0] = Preview1.FiletypeUnknown;
                BinaryPrimitives.WriteUInt64LittleEndian(stat[8..], fd == 0 ? Preview1.RightFdRead : Preview1.RightFdWrite);
                slots[0].I32 = Preview1.Success;
            }
            return 0;
        }
        catch (Exception e)
        {
            return HostCall.Trap(e);
        }
    }

    /// <summary>fd_seek(fd, offset, whence, *newoffset): a pipe cannot seek.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint FdSeek(nint env, nint caller, NativeValue* slots, nuint count)
    {
        slots[0].I32 = IsStdio(slots[0].I32) ? Preview1.IllegalSeek : Preview1.BadFileDescriptor;
        return 0;
    }

    /// <summary>fd_close(fd): closing stdio is allowed and changes nothing (the buffers are the host's to read after).</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint FdClose(nint env, nint caller, NativeValue* slots, nuint count)
    {
        slots[0].I32 = IsStdio(slots[0].I32) ? Preview1.Success : Preview1.BadFileDescriptor;
        return 0;
    }

    /// <summary>fd_read(fd, *iovs, iovs_len, *nread): only stdin, from the request body.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint FdRead(nint env, nint caller, NativeValue* slots, nuint count)
    {
        int fd = slots[0].I32;
        uint iovs = (uint)slots[1].I32, iovsLength = (uint)slots[2].I32, readPointer = (uint)slots[3].I32;
        try
        {
            slots[0].I32 = Read(caller, fd, iovs, iovsLength, readPointer);
            return 0;
        }
        catch (Exception e)
        {
            return HostCall.Trap(e);
        }
    }

    private static int Read(nint caller, int fd, uint iovs, uint iovsLength, uint readPointer)
    {
        if (fd != 0) return Preview1.BadFileDescriptor;
        if (InvocationContext.From(caller) is not { } context || !context.TryMemory(caller, out var memory)) return Preview1.BadFileDescriptor;
        long total = 0;
        for (uint i = 0; i < iovsLength; i++)
        {
            if (!TryReadIovec(memory, iovs, i, out uint buffer, out uint length)) return Preview1.Fault;
            if (length == 0) continue;
            if (!memory.TryGet(buffer, length, out var into)) return Preview1.Fault;
            int n = context.ReadStdin(into);
            total += n;
            if (n < length) break;
        }
        return memory.TryWriteInt32(readPointer, (int)total) ? Preview1.Success : Preview1.Fault;
    }

    /// <summary>fd_write(fd, *iovs, iovs_len, *nwritten): stdout and stderr, into their capped buffers.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint FdWrite(nint env, nint caller, NativeValue* slots, nuint count)
    {
        int fd = slots[0].I32;
        uint iovs = (uint)slots[1].I32, iovsLength = (uint)slots[2].I32, writtenPointer = (uint)slots[3].I32;
        try
        {
            int? errno = Write(caller, fd, iovs, iovsLength, writtenPointer);
            if (errno is null) return WasmtimeNative.NewTrap(OutputCapExceeded);
            slots[0].I32 = errno.Value;
            return 0;
        }
        catch (Exception e)
        {
            return HostCall.Trap(e);
        }
    }

    /// <summary>The errno, or null when stdout passed its cap: the guest is then trapped at this write.</summary>
    private static int? Write(nint caller, int fd, uint iovs, uint iovsLength, uint writtenPointer)
    {
        if (fd is not (1 or 2)) return Preview1.BadFileDescriptor;
        if (InvocationContext.From(caller) is not { } context || !context.TryMemory(caller, out var memory)) return Preview1.BadFileDescriptor;
        var target = fd == 1 ? context.Stdout : context.Stderr;
        long total = 0;
        for (uint i = 0; i < iovsLength; i++)
        {
            if (!TryReadIovec(memory, iovs, i, out uint buffer, out uint length)) return Preview1.Fault;
            if (length == 0) continue;
            if (!memory.TryGet(buffer, length, out var data)) return Preview1.Fault;
            if (!target.Write(data) && fd == 1) return null;
            // stderr past its cap is dropped silently: a chatty log must not fail the request.
            total += length;
        }
        return memory.TryWriteInt32(writtenPointer, (int)total) ? Preview1.Success : Preview1.Fault;
    }

    private static bool TryReadIovec(GuestMemory memory, uint iovs, uint index, out uint buffer, out uint length)
    {
        // An iovec is { u32 buf, u32 buf_len }, 8 bytes, little-endian.
        buffer = length = 0;
        ulong at = iovs + (ulong)index * 8;
        if (at > uint.MaxValue || !memory.TryGet((uint)at, 8, out var iovec)) return false;
        buffer = BinaryPrimitives.ReadUInt32LittleEndian(iovec);
        length = BinaryPrimitives.ReadUInt32LittleEndian(iovec[4..]);
        return true;
    }
}
