using System.Buffers.Binary;
using System.Text;

namespace Fornax.Functions.Tests;

/// <summary>
/// The WASI calls the host serves itself (stdio descriptors, exit), and the modules that still get Wasmtime's WASI
/// context for the rest. Every guest runs in a fresh instance made from the module's InstancePre.
/// </summary>
public sealed class HostWasiTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>A raw-ABI guest whose handle() runs <paramref name="body"/> and returns 64 bytes at offset 1024.</summary>
    private static byte[] RawProbe(string imports, string body) => Guests.Wat($$"""
        (module
          {{imports}}
          (memory (export "memory") 1)
          (func (export "alloc") (param i32) (result i32) (i32.const 4096))
          (func (export "handle") (param i32 i32) (result i64)
            {{body}}
            (i64.const 0x0000040000000040)))
        """);

    [Fact]
    public async Task FdFdstatGet_Stdio_IsNotATerminalAndNotSeekable()
    {
        var fn = await _fx.LoadAsync("stat", RawProbe(
            """(import "wasi_snapshot_preview1" "fd_fdstat_get" (func $stat (param i32 i32) (result i32)))""",
            """
            (i32.store (i32.const 1024) (call $stat (i32.const 0) (i32.const 1032)))
            (i32.store (i32.const 1028) (call $stat (i32.const 1) (i32.const 1056)))
            """), FunctionAbi.Raw);

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        var bytes = result.Body.Span;
        Assert.Equal((0, 0), (BinaryPrimitives.ReadInt32LittleEndian(bytes), BinaryPrimitives.ReadInt32LittleEndian(bytes[4..])));
        // fdstat { u8 filetype; u16 flags; u64 rights_base @8 }: unknown (a pipe), stdin may read, stdout may write,
        // neither has fd_seek (1 << 2) or fd_tell (1 << 5) — so libc neither line-buffers nor seeks.
        var stdin = bytes[8..32];
        var stdout = bytes[32..56];
        Assert.Equal(0, stdin[0]);
        Assert.Equal(1UL << 1, BinaryPrimitives.ReadUInt64LittleEndian(stdin[8..]));
        Assert.Equal(0, stdout[0]);
        Assert.Equal(1UL << 6, BinaryPrimitives.ReadUInt64LittleEndian(stdout[8..]));
    }

    [Fact]
    public async Task FdCalls_OnStdioAndOtherDescriptors_ReturnWasiErrnos()
    {
        var fn = await _fx.LoadAsync("fds", RawProbe(
            """
            (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $stat (param i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "environ_get" (func $environ (param i32 i32) (result i32)))
            """,
            """
            (i32.store (i32.const 1024) (call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 2048)))
            (i32.store (i32.const 1028) (call $seek (i32.const 3) (i64.const 0) (i32.const 0) (i32.const 2048)))
            (i32.store (i32.const 1032) (call $close (i32.const 2)))
            (i32.store (i32.const 1036) (call $close (i32.const 7)))
            (i32.store (i32.const 1040) (call $stat (i32.const 9) (i32.const 2048)))
            (i32.store (i32.const 1044) (call $stat (i32.const 1) (i32.const 65530)))
            (i32.store (i32.const 1048) (call $write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 2048)))
            (i32.store (i32.const 1052) (call $environ (i32.const 65534) (i32.const 2048)))
            """), FunctionAbi.Raw);

        var result = await _fx.InvokeAsync(fn);

        Assert.True(result.Outcome == InvocationOutcome.Ok, result.Message);
        var errnos = Enumerable.Range(0, 8).Select(i => BinaryPrimitives.ReadInt32LittleEndian(result.Body.Span[(i * 4)..])).ToArray();
        // espipe, ebadf (no such descriptor: nothing is ever preopened), success, ebadf, ebadf, then efault for each
        // pointer past the end of memory (fdstat, iovec, environ pointers): an error to the guest, not a trap.
        Assert.Equal([70, 8, 0, 8, 8, 21, 21, 21], errnos);
    }

    [Fact]
    public async Task ProcExit_Zero_IsANormalFinishWithTheOutputSoFar()
    {
        var fn = await _fx.LoadAsync("exit0", Exiting(0));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.Ok, 200), (result.Outcome, result.StatusCode));
        Assert.Equal("bye", Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task ProcExit_NonZero_IsAFailureNamingTheCode()
    {
        var fn = await _fx.LoadAsync("exit3", Exiting(3));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.Trap, 500, "exit code 3"), (result.Outcome, result.StatusCode, result.TrapKind));
        Assert.Equal("function exited with code 3", result.Message);
        Assert.Equal(1, _fx.Runtime.GetStats("exit3")!.Traps);
    }

    [Fact]
    public async Task ProcExit_StatusOutsideWasiRange_IsAHostError()
    {
        var fn = await _fx.LoadAsync("exit200", Exiting(200));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal(InvocationOutcome.Trap, result.Outcome);
        Assert.Contains("invalid exit status", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcExit_StatusBelongsToItsOwnRequest()
    {
        var three = await _fx.LoadAsync("exit3", Exiting(3));
        var zero = await _fx.LoadAsync("exit0", Exiting(0));

        var outcomes = new List<(InvocationOutcome, string?)>();
        foreach (var fn in new[] { three, zero, three, zero })
        {
            var result = await _fx.InvokeAsync(fn);
            outcomes.Add((result.Outcome, result.TrapKind));
        }

        Assert.Equal([(InvocationOutcome.Trap, "exit code 3"), (InvocationOutcome.Ok, null), (InvocationOutcome.Trap, "exit code 3"), (InvocationOutcome.Ok, null)], outcomes);
    }

    [Fact]
    public async Task Modules_ImportingOnlyServedCalls_NeedNoWasmtimeContext_OthersGetOneThatWorks()
    {
        var hello = await _fx.LoadAsync("hello", Guests.Hello);
        var openFile = await _fx.LoadAsync("open", Guests.OpenFile);
        var random = await _fx.LoadAsync("random", RawProbe(
            """(import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))""",
            """(i32.store (i32.const 1024) (call $random (i32.const 1028) (i32.const 32)))"""), FunctionAbi.Raw);

        Assert.False(hello.Module.NeedsWasmtimeWasi);
        Assert.True(openFile.Module.NeedsWasmtimeWasi);
        Assert.True(random.Module.NeedsWasmtimeWasi);
        var result = await _fx.InvokeAsync(random);
        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(result.Body.Span));
        // 32 random bytes from Wasmtime's WASI context; all zero has probability 2^-256.
        Assert.Contains(result.Body.Span[4..36].ToArray(), b => b != 0);
    }

    /// <summary>A WAGI guest that prints a CGI response with body "bye", then calls proc_exit(<paramref name="status"/>).</summary>
    private static byte[] Exiting(int status) => Guests.Wat($$"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 64) "Content-Type: text/plain\0a\0abye")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 64))
            (i32.store (i32.const 4) (i32.const 29))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $exit (i32.const {{status}}))
            unreachable))
        """);
}
