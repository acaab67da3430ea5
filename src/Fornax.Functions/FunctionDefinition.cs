namespace Fornax.Functions;

/// <summary>How the host talks to a function module. See docs/functions.md.</summary>
public enum FunctionAbi
{
    /// <summary>WAGI: CGI over WASI — request body on stdin, CGI variables in the environment, `_start` runs, stdout is a CGI response.</summary>
    Wagi,

    /// <summary>Raw: the module exports <c>memory</c>, <c>alloc(len) -> ptr</c> and <c>handle(ptr, len) -> (ptr &lt;&lt; 32 | len)</c>; body in, body out.</summary>
    Raw,
}

/// <summary>Per-function resource limits. A null member takes the runtime's <see cref="FunctionRuntimeOptions.DefaultLimits"/> value.</summary>
/// <param name="MemoryBytes">Largest linear memory the guest may grow to, in bytes.</param>
/// <param name="Timeout">Wall-clock budget of one invocation, enforced by epoch interruption.</param>
/// <param name="MaxConcurrency">Invocations of this function running at once; more are answered TooManyRequests at once.</param>
/// <param name="Fuel">Instruction budget (Wasmtime fuel units); honoured only when <see cref="FunctionRuntimeOptions.EnableFuel"/> is set.</param>
public sealed record FunctionLimits(
    long? MemoryBytes = null,
    TimeSpan? Timeout = null,
    int? MaxConcurrency = null,
    ulong? Fuel = null);

/// <summary>What the engine needs to know about a function; the node maps its <c>Function</c> object onto this.</summary>
/// <param name="Name">Function name, used in metrics, stats and messages.</param>
/// <param name="Abi">Calling convention of the module.</param>
/// <param name="Environment">Extra environment variables for the guest (WAGI and raw modules that import WASI).</param>
/// <param name="Limits">Overrides of the runtime's default limits.</param>
/// <param name="Digest">Expected <c>sha256:&lt;hex&gt;</c> of the module bytes; when set, a mismatch fails the load.</param>
/// <param name="RawContentType">Content-Type of raw ABI responses.</param>
/// <param name="State">The keyspaces the guest may use through the <c>fornax</c> import module; null: none (a module that imports it does not load).</param>
public sealed record FunctionDefinition(
    string Name,
    FunctionAbi Abi = FunctionAbi.Wagi,
    IReadOnlyDictionary<string, string>? Environment = null,
    FunctionLimits? Limits = null,
    string? Digest = null,
    string RawContentType = "application/octet-stream",
    State.FunctionStateBinding? State = null);
