using Wasmtime;

namespace Fornax.Functions.Wasi;

/// <summary>Per-request state, attached to the request's Store and read by the host functions in <see cref="HostStdio"/>.</summary>
internal sealed class InvocationContext(ReadOnlyMemory<byte> stdin, int stdoutCap, int stderrCap) : IDisposable
{
    private int _stdinPosition;

    public OutputBuffer Stdout { get; } = new(stdoutCap);

    private Memory? _memory;

    /// <summary>The guest's environment as <c>NAME=value</c> strings, served by <see cref="HostEnvironment"/>.</summary>
    public StringBlock Environment { get; set; } = StringBlock.Empty;

    /// <summary>The guest's arguments (argv).</summary>
    public StringBlock Arguments { get; set; } = StringBlock.Empty;

    /// <summary>
    /// The guest's exported memory, looked up by name once per request rather than on every host call (a C program makes
    /// half a dozen at start-up). One context belongs to one store and one instance, so the export cannot change.
    /// </summary>
    public Memory? Memory(Caller caller) => _memory ??= caller.GetMemory("memory");

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

    /// <summary>Set when the deadline callback stopped the guest.</summary>
    public bool TimedOut { get; set; }

    /// <summary>Set when the guest ran past <see cref="FunctionRuntimeOptions.LongGuestAfter"/> and holds a compensating pool thread.</summary>
    public bool CountedLong { get; set; }

    /// <summary>What this guest added to the pool's minimum when it turned long, given back when it ends.</summary>
    public int LongThreadsAdded { get; set; }
    public OutputBuffer Stderr { get; } = new(stderrCap);

    /// <summary>Set when the guest tried to write past the stdout cap; the guest is trapped at that write.</summary>
    public bool StdoutOverflowed => Stdout.Overflowed;

    /// <summary>Copies up to <paramref name="into"/>.Length unread stdin bytes; 0 at end of input.</summary>
    public int ReadStdin(Span<byte> into)
    {
        var rest = stdin.Span[_stdinPosition..];
        int n = Math.Min(rest.Length, into.Length);
        rest[..n].CopyTo(into);
        _stdinPosition += n;
        return n;
    }

    public void Dispose()
    {
        Stdout.Dispose();
        Stderr.Dispose();
    }
}
