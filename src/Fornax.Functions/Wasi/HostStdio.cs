using System.Buffers.Binary;
using Wasmtime;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Replaces Wasmtime's WASI <c>fd_read</c> and <c>fd_write</c> so stdio never leaves the process:
/// stdin is read straight from the request body, stdout/stderr go into capped buffers.
/// Why not <c>WasiConfiguration</c>: its stdin is a file path only (a temp file per request), and its output callback runs on
/// another thread and cannot stop the guest. Here a write past the stdout cap traps the guest at once.
/// All other WASI calls are Wasmtime's, configured with no preopened directories, so the guest has no filesystem.
/// </summary>
internal static class HostStdio
{

    /// <summary>Thrown inside the guest's write when stdout passes its cap; becomes a trap that ends the invocation.</summary>
    internal sealed class OutputCapExceededException() : Exception("stdout exceeded its cap");

    public static void Define(Linker linker)
    {
        linker.AllowShadowing = true;
        linker.DefineFunction(Preview1.Module, "fd_read", (CallerFunc<int, int, int, int, int>)FdRead);
        linker.DefineFunction(Preview1.Module, "fd_write", (CallerFunc<int, int, int, int, int>)FdWrite);
        linker.AllowShadowing = false;
    }

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
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
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
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
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
