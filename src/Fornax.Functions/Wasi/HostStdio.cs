using System.Buffers.Binary;
using Wasmtime;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Replaces Wasmtime's WASI calls on the three stdio descriptors so stdio never leaves the process:
/// stdin is read straight from the request body, stdout/stderr go into capped buffers.
/// Why not <c>WasiConfiguration</c>: its stdin is a file path only (a temp file per request), and its output callback runs on
/// another thread and cannot stop the guest. Here a write past the stdout cap traps the guest at once.
/// The descriptors are pipes, as a CGI program's are: not a terminal, not seekable. Every other descriptor is unknown
/// (EBADF): the guest is given no preopened directories, so it can never open one.
/// </summary>
internal static class HostStdio
{

    /// <summary>Thrown inside the guest's write when stdout passes its cap; becomes a trap that ends the invocation.</summary>
    internal sealed class OutputCapExceededException() : Exception("stdout exceeded its cap");

    /// <summary>What <see cref="Define"/> serves.</summary>
    public static readonly string[] Names = ["fd_read", "fd_write", "fd_fdstat_get", "fd_seek", "fd_close"];

    public static void Define(Linker linker)
    {
        linker.AllowShadowing = true;
        linker.DefineFunction(Preview1.Module, "fd_read", (CallerFunc<int, int, int, int, int>)FdRead);
        linker.DefineFunction(Preview1.Module, "fd_write", (CallerFunc<int, int, int, int, int>)FdWrite);
        linker.DefineFunction(Preview1.Module, "fd_fdstat_get", (CallerFunc<int, int, int>)FdStatGet);
        linker.DefineFunction(Preview1.Module, "fd_seek", (Func<int, long, int, int, int>)FdSeek);
        linker.DefineFunction(Preview1.Module, "fd_close", (Func<int, int>)FdClose);
        linker.AllowShadowing = false;
    }

    private static bool IsStdio(int fd) => fd is >= 0 and <= 2;

    /// <summary>
    /// fd_fdstat_get(fd, *fdstat): a 24-byte <c>fdstat</c> { u8 filetype; u16 flags @2; u64 rights_base @8;
    /// u64 rights_inheriting @16 }. Unknown filetype and no seek right: libc treats stdout as a pipe (fully buffered),
    /// so a guest's output arrives in one write rather than one per line.
    /// </summary>
    private static int FdStatGet(Caller caller, int fd, int pointer)
    {
        if (!IsStdio(fd)) return Preview1.BadFileDescriptor;
        if (caller.GetData() is not InvocationContext context || context.Memory(caller) is not { } memory) return Preview1.Fault;
        try
        {
            var stat = memory.GetSpan(pointer, 24);
            stat.Clear();
            stat[0] = Preview1.FiletypeUnknown;
            BinaryPrimitives.WriteUInt64LittleEndian(stat[8..], fd == 0 ? Preview1.RightFdRead : Preview1.RightFdWrite);
            return Preview1.Success;
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            return Preview1.Fault;
        }
    }

    /// <summary>fd_seek(fd, offset, whence, *newoffset): a pipe cannot seek.</summary>
    private static int FdSeek(int fd, long offset, int whence, int newOffsetPointer) =>
        IsStdio(fd) ? Preview1.IllegalSeek : Preview1.BadFileDescriptor;

    /// <summary>fd_close(fd): closing stdio is allowed and changes nothing (the buffers are the host's to read after).</summary>
    private static int FdClose(int fd) => IsStdio(fd) ? Preview1.Success : Preview1.BadFileDescriptor;

    private static int FdRead(Caller caller, int fd, int iovs, int iovsLength, int readPointer)
    {
        if (fd != 0) return Preview1.BadFileDescriptor;
        if (caller.GetData() is not InvocationContext context || context.Memory(caller) is not { } memory) return Preview1.BadFileDescriptor;
        try
        {
            long total = 0;
            for (int i = 0; i < iovsLength; i++)
            {
                var (buffer, length) = ReadIovec(memory, iovs, i);
                if (length == 0) continue;
                int n = context.ReadStdin(memory.GetSpan(buffer, length));
                total += n;
                if (n < length) break;
            }
            memory.WriteInt32(readPointer, (int)total);
            return Preview1.Success;
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return Preview1.Fault;
        }
    }

    private static int FdWrite(Caller caller, int fd, int iovs, int iovsLength, int writtenPointer)
    {
        if (fd is not (1 or 2)) return Preview1.BadFileDescriptor;
        if (caller.GetData() is not InvocationContext context || context.Memory(caller) is not { } memory) return Preview1.BadFileDescriptor;
        var target = fd == 1 ? context.Stdout : context.Stderr;
        long total = 0;
        try
        {
            for (int i = 0; i < iovsLength; i++)
            {
                var (buffer, length) = ReadIovec(memory, iovs, i);
                if (length == 0) continue;
                if (!target.Write(memory.GetSpan(buffer, length)) && fd == 1)
                    throw new OutputCapExceededException();
                // stderr past its cap is dropped silently: a chatty log must not fail the request.
                total += length;
            }
            memory.WriteInt32(writtenPointer, (int)total);
            return Preview1.Success;
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return Preview1.Fault;
        }
    }

    private static (int Buffer, int Length) ReadIovec(Memory memory, int iovs, int index)
    {
        // An iovec is { u32 buf, u32 buf_len }, 8 bytes, little-endian.
        var iovec = memory.GetSpan(iovs + (long)index * 8, 8);
        uint buffer = BinaryPrimitives.ReadUInt32LittleEndian(iovec);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(iovec[4..]);
        return (checked((int)buffer), checked((int)length));
    }
}
