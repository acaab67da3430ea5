using Fornax.Functions;

namespace Fornax.Bench.Functions;

internal static class Guests
{
    public static byte[] Bytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "guests", relativePath));

    /// <summary>InvokeAsync completes synchronously (the guest runs on the caller's thread); take the result without a state machine.</summary>
    public static InvocationResult Complete(ValueTask<InvocationResult> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>Default options, but no disk cache (the module is compiled once in setup; only invocation is measured).</summary>
    public static FunctionRuntime CreateRuntime() => new(new FunctionRuntimeOptions { SiteName = "bench" });
}
