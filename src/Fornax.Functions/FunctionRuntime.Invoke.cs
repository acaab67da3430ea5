using System.Buffers;
using System.Text;
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
                result = Run(function, request, out instantiated);
            }
            finally
            {
                _epochTicker.Exit();
                function.Exit();
            }
        }
        result = result with { Duration = _options.TimeProvider.GetElapsedTime(started) };
        function.Counters.Record(result.Outcome, instantiated, result.Duration);
        _metrics.Invoked(function.Name, result, instantiated);
        return new ValueTask<InvocationResult>(result);
    }

    private InvocationResult Run(LoadedFunction function, InvocationRequest request, out bool instantiated)
    {
        instantiated = false;
        var compiled = function.Module;
        bool wagi = function.Definition.Abi == FunctionAbi.Wagi;
        using var context = new InvocationContext(wagi ? request.Body : default, _options.StdoutLimitBytes, _options.StderrLimitBytes);
        using var store = new Store(_engine, context);
        store.SetLimits(memorySize: function.MemoryBytes, tableElements: null, instances: null, tables: null, memories: null);
        context.Timeout = function.Timeout;
        context.Started = _options.TimeProvider.GetTimestamp();
        // The first deadline is the long-guest check (or the timeout, if sooner); OnDeadline then sets the rest.
        store.SetEpochDeadline(DeadlineTicks(function.Timeout < _options.LongGuestAfter ? function.Timeout : _options.LongGuestAfter, _options.EpochTick));
        context.Deadline = _onDeadline;
        Native.EpochDeadline.Register(store);
        if (_options.EnableFuel) store.Fuel = function.Fuel ?? ulong.MaxValue;
        if (compiled.ImportsWasi)
        {
            context.Environment = wagi ? function.Cgi.Build(request) : function.RawEnvironment;
            context.Arguments = function.Arguments;
            if (compiled.NeedsWasmtimeWasi) store.SetWasiConfiguration(new WasiConfiguration());
        }

        Instance? instance = null;
        try
        {
            instance = compiled.Pre.Instantiate(store);
            instantiated = true;
            return wagi ? RunWagi(instance, context) : RunRaw(function, instance, context, request.Body.Span);
        }
        catch (WasmtimeException e) when ((context.ExitStatus ?? e.ExitCode) == 0 && wagi)
        {
            // proc_exit(0) (what C's exit(0) and AssemblyScript's shim do at the end) is a normal finish.
            return WagiResponse(context);
        }
        catch (WasmtimeException e)
        {
            return Classify(function, e, context, instance, instantiated);
        }
        finally
        {
            if (context.CountedLong) LongGuestThreads.Ended(context.LongThreadsAdded);
        }
    }

    private static InvocationResult RunWagi(Instance instance, InvocationContext context)
    {
        var start = instance.GetAction("_start") ?? throw new InvalidOperationException("_start was checked at load");
        start();
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

    private InvocationResult RunRaw(LoadedFunction function, Instance instance, InvocationContext context, ReadOnlySpan<byte> body)
    {
        if (function.Module.ExportsInitialize) instance.GetAction("_initialize")?.Invoke();
        var alloc = instance.GetFunction<int, int>("alloc")!;
        var handle = instance.GetFunction<int, int, long>("handle")!;
        var memory = instance.GetMemory("memory")!;

        int pointer = alloc(body.Length);
        if (!TryGetSpan(memory, pointer, body.Length, out var input))
            return RawViolation(context, $"alloc({body.Length}) returned {pointer}, outside memory");
        body.CopyTo(input);

        long packed = handle(pointer, body.Length);
        uint responsePointer = (uint)((ulong)packed >> 32);
        uint responseLength = (uint)packed;
        if (responseLength > _options.StdoutLimitBytes)
            return OutputTooLarge(context);
        if (!TryGetSpan(memory, responsePointer, (int)responseLength, out var response))
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

    private static bool TryGetSpan(Memory memory, long pointer, int length, out Span<byte> span)
    {
        span = default;
        if (pointer < 0 || length < 0 || pointer + length > memory.GetLength()) return false;
        span = memory.GetSpan(pointer, length);
        return true;
    }

    private static InvocationResult RawViolation(InvocationContext context, string message) =>
        InvocationResult.Error(InvocationOutcome.Trap, $"raw ABI violation: {message}", "raw abi violation", Stderr(context));

    private InvocationResult OutputTooLarge(InvocationContext context) =>
        InvocationResult.Error(InvocationOutcome.OutputTooLarge,
            $"response exceeded the output cap of {FormatBytes(_options.StdoutLimitBytes)}", stderr: Stderr(context));

    /// <summary>Maps a failure to its outcome, most specific cause first.</summary>
    private InvocationResult Classify(LoadedFunction function, WasmtimeException error, InvocationContext context, Instance? instance, bool instantiated)
    {
        string stderr = Stderr(context);
        if (context.StdoutOverflowed) return OutputTooLarge(context);

        var trap = (error as TrapException)?.Type;
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
        if (instance?.GetMemory("memory") is { } memory && memory.GetLength() + FunctionRuntimeOptions.WasmPageSize > function.MemoryBytes)
            return MemoryLimit(function, stderr);

        if ((context.ExitStatus ?? error.ExitCode) is int code)
            return InvocationResult.Error(InvocationOutcome.Trap, $"function exited with code {code}", $"exit code {code}", stderr);
        string kind = trap is { } t ? TrapKind(t) : "host error";
        // A host function that threw (e.g. an exit status out of range) is the inner exception; its message says what.
        string detail = trap is null ? FirstLine(error.InnerException?.Message ?? error.Message) : kind;
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
