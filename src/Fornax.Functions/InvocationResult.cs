namespace Fornax.Functions;

/// <summary>How an invocation ended; each maps to one HTTP status (see <see cref="InvocationResult.StatusCode"/>).</summary>
public enum InvocationOutcome
{
    /// <summary>The guest answered; status, headers and body are its response.</summary>
    Ok,

    /// <summary>The guest trapped (or exited non-zero): 500, <see cref="InvocationResult.TrapKind"/> says why.</summary>
    Trap,

    /// <summary>The guest ran past its timeout (or fuel budget): 504.</summary>
    Timeout,

    /// <summary>The guest needed more memory than its limit: 500.</summary>
    MemoryLimit,

    /// <summary>The guest wrote more than the stdout cap (or returned a raw response over it): 500.</summary>
    OutputTooLarge,

    /// <summary>The function already runs <c>MaxConcurrency</c> invocations, or the instance pool is full: 429.</summary>
    TooManyRequests,

    /// <summary>The guest finished but its output is not a valid response (e.g. a bad CGI <c>Status</c>): 502.</summary>
    InvalidResponse,
}

/// <summary>The response of one invocation. Errors carry a one-line <see cref="Message"/> fit for the HTTP body.</summary>
public sealed record InvocationResult
{
    /// <summary>How the invocation ended.</summary>
    public required InvocationOutcome Outcome { get; init; }

    /// <summary>HTTP status: the guest's for Ok, otherwise fixed by the outcome (500, 504, 429, 502).</summary>
    public required int StatusCode { get; init; }

    /// <summary>Response headers (the CGI <c>Status</c> header is consumed, not repeated here).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Response body; for errors, empty (the node renders <see cref="Message"/>).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>One line for errors, e.g. <c>memory limit of 16 MiB exceeded</c>; null for Ok.</summary>
    public string? Message { get; init; }

    /// <summary>For <see cref="InvocationOutcome.Trap"/>: <c>unreachable</c>, <c>out of bounds memory access</c>, <c>exit code 1</c>, …</summary>
    public string? TrapKind { get; init; }

    /// <summary>What the guest wrote to stderr (capped at <see cref="FunctionRuntimeOptions.StderrLimitBytes"/>), for the node's log.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>Time from admission to result, instantiation included.</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>The HTTP status each error outcome maps to.</summary>
    public static int StatusFor(InvocationOutcome outcome) => outcome switch
    {
        InvocationOutcome.Ok => 200,
        InvocationOutcome.Timeout => 504,
        InvocationOutcome.TooManyRequests => 429,
        InvocationOutcome.InvalidResponse => 502,
        _ => 500,
    };

    /// <summary>A failed invocation (the host's refusals included: a site whose queue is full answers TooManyRequests too).</summary>
    public static InvocationResult Error(InvocationOutcome outcome, string message, string? trapKind = null, string stderr = "") => new()
    {
        Outcome = outcome,
        StatusCode = StatusFor(outcome),
        Message = message,
        TrapKind = trapKind,
        Stderr = stderr,
    };
}
