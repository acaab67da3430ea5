using System.Runtime.InteropServices;
using Fornax.Functions.Native;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Per-request state: the data of the request's native store (through a <see cref="GCHandle"/>), read by the host
/// functions (<see cref="HostStdio"/>, <see cref="HostEnvironment"/>, <see cref="HostExit"/>) and the epoch deadline.
/// A request runs on one thread from start to end, so each thread keeps its last context, output buffers and environment
/// buffer for its next request (<see cref="Rent"/>, <see cref="Dispose"/>): a request then allocates none of them. The
/// runtime copies out everything a result keeps before it disposes the context.
/// </summary>
internal sealed unsafe class InvocationContext : IDisposable
{
    /// <summary>Output buffers larger than this go back to the pool rather than stay with the thread.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static InvocationContext? t_spare;

    private ReadOnlyMemory<byte> _stdin;
    private int _stdinPosition;

    private InvocationContext(int stdoutCap, int stderrCap)
    {
        Stdout = new OutputBuffer(stdoutCap);
        Stderr = new OutputBuffer(stderrCap);
    }

    /// <summary>This thread's spare context if its caps match, else a new one; <paramref name="stdin"/> is the request body.</summary>
    public static InvocationContext Rent(ReadOnlyMemory<byte> stdin, int stdoutCap, int stderrCap)
    {
        var context = t_spare;
        if (context is not null && context.Stdout.Cap == stdoutCap && context.Stderr.Cap == stderrCap)
        {
            t_spare = null;
        }
        else
        {
            context = new InvocationContext(stdoutCap, stderrCap);
        }
        context._stdin = stdin;
        return context;
    }

    public OutputBuffer Stdout { get; }

    /// <summary>This request's own environment block, rewritten per request (a WAGI guest's CGI variables).</summary>
    public StringBlock OwnEnvironment { get; } = StringBlock.Reusable();

    private WasmMemory _memory;
    private bool _hasMemory;

    /// <summary>The guest's environment as <c>NAME=value</c> strings, served by <see cref="HostEnvironment"/>.</summary>
    public StringBlock Environment { get; set; } = StringBlock.Empty;

    /// <summary>The guest's arguments (argv).</summary>
    public StringBlock Arguments { get; set; } = StringBlock.Empty;

    /// <summary>The request's context of a host call: the data of the calling store; null for a store of someone else's.</summary>
    public static InvocationContext? From(nint caller)
    {
        nint data = WasmtimeNative.wasmtime_context_get_data(WasmtimeNative.wasmtime_caller_context(caller));
        return data == 0 ? null : GCHandle.FromIntPtr(data).Target as InvocationContext;
    }

    /// <summary>
    /// The guest's exported memory as it is now. The export is looked up by name once per request rather than on every
    /// host call (a C program makes half a dozen at start-up): one context belongs to one store and one instance, so the
    /// export cannot change; its size can, so that is read each time.
    /// </summary>
    public bool TryMemory(nint caller, out GuestMemory memory)
    {
        memory = default;
        if (!_hasMemory)
        {
            NativeExtern item;
            bool found;
            fixed (byte* name = "memory"u8) found = WasmtimeNative.wasmtime_caller_export_get(caller, name, 6, out item);
            if (!found) return false;
            if (item.Kind != NativeExtern.KindMemory)
            {
                if (item.Kind == NativeExtern.KindSharedMemory) WasmtimeNative.wasmtime_extern_delete(ref item);
                return false;
            }
            _memory = item.Memory;
            _hasMemory = true;
        }

        nint context = WasmtimeNative.wasmtime_caller_context(caller);
        memory = new GuestMemory(WasmtimeNative.wasmtime_memory_data(context, in _memory), WasmtimeNative.wasmtime_memory_data_size(context, in _memory));
        return true;
    }

    /// <summary>When the guest started (a <see cref="TimeProvider"/> timestamp) and how long it may run; read at the epoch deadline.</summary>
    public long Started { get; set; }
    public TimeSpan Timeout { get; set; }

    /// <summary>The status the guest passed to <c>proc_exit</c>, if it called it (<see cref="HostExit"/>).</summary>
    public int? ExitStatus { get; set; }

    /// <summary>
    /// Called when the guest reaches its epoch deadline (<see cref="Native.EpochDeadline"/>): further ticks to run, or
    /// null to stop it. The runtime's one cached delegate, so setting it allocates nothing.
    /// </summary>
    public Func<InvocationContext, ulong?>? Deadline { get; set; }

    /// <summary>
    /// Why a host function stopped the guest, when it was not the guest's doing (e.g. an exit status out of range). The
    /// trap Wasmtime reports then has no trap code and buries the reason under a backtrace, so it is kept here.
    /// </summary>
    public string? HostFailure { get; set; }

    /// <summary>The function's use of the KV store in this invocation; null when it binds no keyspaces.</summary>
    public State.StateSession? State { get; set; }

    /// <summary>Set when the deadline callback stopped the guest.</summary>
    public bool TimedOut { get; set; }

    /// <summary>Set when the guest ran past <see cref="FunctionRuntimeOptions.LongGuestAfter"/> and holds a compensating pool thread.</summary>
    public bool CountedLong { get; set; }

    /// <summary>What this guest added to the pool's minimum when it turned long, given back when it ends.</summary>
    public int LongThreadsAdded { get; set; }
    public OutputBuffer Stderr { get; }

    /// <summary>Set when the guest tried to write past the stdout cap; the guest is trapped at that write.</summary>
    public bool StdoutOverflowed => Stdout.Overflowed;

    /// <summary>Copies up to <paramref name="into"/>.Length unread stdin bytes; 0 at end of input.</summary>
    public int ReadStdin(Span<byte> into)
    {
        var rest = _stdin.Span[_stdinPosition..];
        int n = Math.Min(rest.Length, into.Length);
        rest[..n].CopyTo(into);
        _stdinPosition += n;
        return n;
    }

    /// <summary>Forgets the request and keeps the context as this thread's spare.</summary>
    public void Dispose()
    {
        Stdout.Reset(KeptBufferBytes);
        Stderr.Reset(KeptBufferBytes);
        _stdin = default;
        _stdinPosition = 0;
        _memory = default;
        _hasMemory = false;
        Environment = StringBlock.Empty;
        Arguments = StringBlock.Empty;
        Started = 0;
        Timeout = TimeSpan.Zero;
        ExitStatus = null;
        HostFailure = null;
        State = null;
        Deadline = null;
        TimedOut = false;
        CountedLong = false;
        LongThreadsAdded = 0;
        t_spare = this;
    }
}
