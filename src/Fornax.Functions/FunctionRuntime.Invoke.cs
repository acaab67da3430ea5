using System.Buffers;
using System.Text;
using Fornax.Functions.Native;
using Fornax.Functions.Wagi;
using Fornax.Functions.Wasi;
using Wasmtime;

namespace Fornax.Functions;

public sealed partial class FunctionRuntime
{
    /// <summary>
    /// Runs one request in a fresh instance of <paramref name="function"/> and maps how it ended to an
    /// <see cref="InvocationResult"/>; guest failures are results, never exceptions. Runs synchronously on the calling thread
    /// (the returned task is already complete): a guest is CPU work bounded by its timeout, so there is nothing to await.
    /// <paramref name="cancellationToken"/> is observed before the guest starts; once running, the timeout bounds it.
    /// </summary>
    public ValueTask<InvocationResult> InvokeAsync(LoadedFunction function, InvocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        long started = _options.TimeProvider.GetTimestamp();
        InvocationResult result;
        bool instantiated = false;
        Task? durable = null;
        if (!function.TryEnter())
        {
            result = InvocationResult.Error(InvocationOutcome.TooManyRequests,
                $"function '{function.Name}' is at its concurrency limit of {function.MaxConcurrency}");
        }
        else
        {
            _epochTicker.Enter();
            try
            {
                result = Run(function, request, out instantiated, out durable);
            }
            finally
            {
                _epochTicker.Exit();
                function.Exit();
            }
        }

        if (durable is not null && !durable.IsCompleted)
            return new ValueTask<InvocationResult>(AwaitDurableAsync(function, result, durable, started, instantiated));
        return new ValueTask<InvocationResult>(Finish(function, AfterDurable(result, durable), started, instantiated));
    }

    /// <summary>
    /// The guest wrote to the KV store under a policy that syncs before acknowledging (<c>durability: always</c>): the
    /// response, which is the acknowledgement, waits for the group commit. One wait covers every write of the invocation.
    /// </summary>
    private async Task<InvocationResult> AwaitDurableAsync(LoadedFunction function, InvocationResult result, Task durable, long started, bool instantiated)
    {
        try
        {
            await durable.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed here; AfterDurable reads the fault from the task.
        }

        return Finish(function, AfterDurable(result, durable), started, instantiated);
    }

    /// <summary>A write that did not reach the disk turns a success into an error: the client must not take it as done.</summary>
    private static InvocationResult AfterDurable(InvocationResult result, Task? durable) =>
        durable is { IsFaulted: true } && result.Outcome == InvocationOutcome.Ok
            ? InvocationResult.Error(InvocationOutcome.Trap,
                $"the function's KV writes were not made durable: {durable.Exception!.GetBaseException().Message}", "state not durable", result.Stderr)
            : result;

    private InvocationResult Finish(LoadedFunction function, InvocationResult result, long started, bool instantiated)
    {
        // Set on the result made for this call (never a shared one), rather than copied with `with`: one object less per request.
        result.Duration = _options.TimeProvider.GetElapsedTime(started);
        function.Counters.Record(result.Outcome, instantiated, result.Duration);
        _metrics.Invoked(function.Name, result);
        return result;
    }

    private InvocationResult Run(LoadedFunction function, InvocationRequest request, out bool instantiated, out Task? durable)
    {
        instantiated = false;
        durable = null;
        var compiled = function.Module;
        bool wagi = function.Definition.Abi == FunctionAbi.Wagi;
        using var context = InvocationContext.Rent(wagi ? request.Body : default, _options.StdoutLimitBytes, _options.StderrLimitBytes);
        using var store = RequestStore.Create(_engineHandle, context);
        store.LimitMemory(function.MemoryBytes);
        context.Timeout = function.Timeout;
        context.Started = _options.TimeProvider.GetTimestamp();
        context.Deadline = _onDeadline;
        if (function.Definition.State is { } binding)
            context.State = new State.StateSession(function.Name, binding, _options.State!, _options);
        // The first deadline is the long-guest check (or the timeout, if sooner); OnDeadline then sets the rest.
        store.SetEpochDeadline(DeadlineTicks(function.Timeout < _options.LongGuestAfter ? function.Timeout : _options.LongGuestAfter, _options.EpochTick));

        NativeInstance instance = default;
        try
        {
            if (_options.EnableFuel) store.SetFuel(function.Fuel ?? ulong.MaxValue);
            if (compiled.ImportsWasi)
            {
                context.Environment = wagi ? function.Cgi.Build(request, context.OwnEnvironment) : function.RawEnvironment;
                context.Arguments = function.Arguments;
                if (compiled.NeedsWasmtimeWasi) store.AddWasmtimeWasi();
            }

            instance = compiled.Pre.Instantiate(store.Context);
            instantiated = true;
            return wagi ? RunWagi(store, instance, context) : RunRaw(function, store, instance, context, request.Body.Span);
        }
        catch (WasmtimeException e) when ((context.ExitStatus ?? e.ExitCode) == 0 && wagi)
        {
            // proc_exit(0) (what C's exit(0) and AssemblyScript's shim do at the end) is a normal finish.
            return WagiResponse(context);
        }
        catch (WasmtimeException e)
        {
            return Classify(function, e, context, store, instance, instantiated);
        }
        finally
        {
            if (context.CountedLong) LongGuestThreads.Ended(context.LongThreadsAdded);
            durable = context.State?.PendingDurable;
        }
    }

    private static InvocationResult RunWagi(in RequestStore store, in NativeInstance instance, InvocationContext context)
    {
        if (!store.TryGetFunc(instance, "_start"u8, out var start)) throw new InvalidOperationException("_start was checked at load");
        store.Call(start, []);
        return WagiResponse(context);
    }

    private static InvocationResult WagiResponse(InvocationContext context)
    {
        var output = new ReadOnlySequence<byte>(context.Stdout.WrittenMemory);
        var cgi = CgiResponseParser.Parse(output);
        if (cgi.Error is not null)
            return InvocationResult.Error(InvocationOutcome.InvalidResponse, cgi.Error, stderr: Stderr(context));
        return new InvocationResult
        {
            Outcome = InvocationOutcome.Ok,
            StatusCode = cgi.StatusCode,
            Headers = cgi.Headers,
            Body = context.Stdout.Written[(int)cgi.BodyOffset..].ToArray(),
            Stderr = Stderr(context),
        };
    }

    private InvocationResult RunRaw(LoadedFunction function, in RequestStore store, in NativeInstance instance, InvocationContext context, ReadOnlySpan<byte> body)
    {
        if (function.Module.ExportsInitialize && store.TryGetFunc(instance, "_initialize"u8, out var initialize)) store.Call(initialize, []);
        if (!store.TryGetFunc(instance, "alloc"u8, out var alloc) || !store.TryGetFunc(instance, "handle"u8, out var handle)
            || !store.TryGetMemory(instance, out var memory))
            throw new InvalidOperationException("alloc, handle and memory were checked at load");

        Span<NativeValue> slots = stackalloc NativeValue[2];
        slots[0].I32 = body.Length;
        store.Call(alloc, slots[..1]);
        uint pointer = (uint)slots[0].I32;
        if (!store.View(memory).TryGet(pointer, (uint)body.Length, out var input))
            return RawViolation(context, $"alloc({body.Length}) returned {(int)pointer}, outside memory");
        body.CopyTo(input);

        slots[0].I32 = (int)pointer;
        slots[1].I32 = body.Length;
        store.Call(handle, slots);
        long packed = slots[0].I64;
        uint responsePointer = (uint)((ulong)packed >> 32);
        uint responseLength = (uint)packed;
        if (responseLength > _options.StdoutLimitBytes)
            return OutputTooLarge(context);
        if (!store.View(memory).TryGet(responsePointer, responseLength, out var response))
            return RawViolation(context, $"handle returned {responseLength} bytes at {responsePointer}, outside memory");
        return new InvocationResult
        {
            Outcome = InvocationOutcome.Ok,
            StatusCode = 200,
            Headers = [new("Content-Type", function.Definition.RawContentType)],
            Body = response.ToArray(),
            Stderr = Stderr(context),
        };
    }

    private static InvocationResult RawViolation(InvocationContext context, string message) =>
        InvocationResult.Error(InvocationOutcome.Trap, $"raw ABI violation: {message}", "raw abi violation", Stderr(context));

    private InvocationResult OutputTooLarge(InvocationContext context) =>
        InvocationResult.Error(InvocationOutcome.OutputTooLarge,
            $"response exceeded the output cap of {FormatBytes(_options.StdoutLimitBytes)}", stderr: Stderr(context));

    /// <summary>Maps a failure to its outcome, most specific cause first.</summary>
    private InvocationResult Classify(LoadedFunction function, WasmtimeException error, InvocationContext context, in RequestStore store, in NativeInstance instance, bool instantiated)
    {
        string stderr = Stderr(context);
        if (context.StdoutOverflowed) return OutputTooLarge(context);

        // A trap a host function returned (e.g. an exit status out of range) has no trap code: its message says what.
        var trap = (error as TrapException)?.Type is { } trapCode && trapCode != TrapCode.Undefined ? trapCode : (TrapCode?)null;
        if (context.TimedOut || trap == TrapCode.Interrupt)
            return InvocationResult.Error(InvocationOutcome.Timeout, $"timed out after {FormatDuration(function.Timeout)}", stderr: stderr);
        if (trap == TrapCode.OutOfFuel)
            return InvocationResult.Error(InvocationOutcome.Timeout, $"fuel budget of {function.Fuel} units exhausted", stderr: stderr);

        if (!instantiated)
        {
            string first = FirstLine(error.Message);
            // Wasmtime's pooling allocator: "maximum concurrent core instance limit of N reached" (or memory/table).
            if (first.Contains("concurrent", StringComparison.OrdinalIgnoreCase) && first.Contains("limit", StringComparison.OrdinalIgnoreCase))
                return InvocationResult.Error(InvocationOutcome.TooManyRequests, $"instance pool is full ({_options.MaxInstances} instances)", stderr: stderr);
            // The module's initial memory alone is over the function's limit.
            if (first.Contains("memory", StringComparison.OrdinalIgnoreCase) && first.Contains("limit", StringComparison.OrdinalIgnoreCase))
                return MemoryLimit(function, stderr);
        }

        // Wasmtime reports a refused memory.grow as -1 to the guest, not as an error. A guest that then traps or exits
        // non-zero with its memory within one page of the limit ran out of memory — name the limit, not the trap.
        if (instantiated && store.TryGetMemory(instance, out var memory)
            && (long)store.View(memory).Size + FunctionRuntimeOptions.WasmPageSize > function.MemoryBytes)
            return MemoryLimit(function, stderr);

        if ((context.ExitStatus ?? error.ExitCode) is int code)
            return InvocationResult.Error(InvocationOutcome.Trap, $"function exited with code {code}", $"exit code {code}", stderr);
        string kind = trap is { } t ? TrapKind(t) : "host error";
        string detail = trap is null ? context.HostFailure ?? FirstLine(error.InnerException?.Message ?? error.Message) : kind;
        return InvocationResult.Error(InvocationOutcome.Trap, $"function trapped: {detail}", kind, stderr);
    }

    private static InvocationResult MemoryLimit(LoadedFunction function, string stderr) =>
        InvocationResult.Error(InvocationOutcome.MemoryLimit, $"memory limit of {FormatBytes(function.MemoryBytes)} exceeded", stderr: stderr);

    /// <summary>The wording of Wasmtime's own trap messages (and the spec test suite).</summary>
    internal static string TrapKind(TrapCode code) => code switch
    {
        TrapCode.Unreachable => "unreachable",
        TrapCode.MemoryOutOfBounds => "out of bounds memory access",
        TrapCode.StackOverflow => "call stack exhausted",
        TrapCode.HeapMisaligned => "misaligned memory access",
        TrapCode.TableOutOfBounds => "undefined element: out of bounds table access",
        TrapCode.IndirectCallToNull => "uninitialized element",
        TrapCode.BadSignature => "indirect call type mismatch",
        TrapCode.IntegerOverflow => "integer overflow",
        TrapCode.IntegerDivisionByZero => "integer divide by zero",
        TrapCode.BadConversionToInteger => "invalid conversion to integer",
        TrapCode.NullReference => "null reference",
        _ => code.ToString().ToLowerInvariant(),
    };

    private static string Stderr(InvocationContext context) =>
        context.Stderr.Length == 0 ? ""
            : Encoding.UTF8.GetString(context.Stderr.Written) + (context.Stderr.Overflowed ? "\n[stderr truncated]" : "");

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} bytes",
    };

    internal static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 1 && duration.Milliseconds == 0 ? $"{duration.TotalSeconds:0} s" : $"{duration.TotalMilliseconds:0} ms";
}
