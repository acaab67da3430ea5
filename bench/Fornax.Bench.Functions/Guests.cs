using Fornax.Functions;

namespace Fornax.Bench.Functions;

internal static class Guests
{
    public static byte[] Bytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "guests", relativePath));

    /// <summary>InvokeAsync completes synchronously (the guest runs on the caller's thread); take the result without a state machine.</summary>
    public static InvocationResult Complete(ValueTask<InvocationResult> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>The three probe cases (latency, allocations): the smallest WAGI guest, the C hello, the raw-ABI echo.</summary>
    public static (string Name, LoadedFunction Function, InvocationRequest Request)[] ProbeCases(FunctionRuntime runtime) =>
    [
        ("counter (WAT, WAGI)", Load(runtime, "counter", "counter/counter.wasm", FunctionAbi.Wagi), new(PathInfo: "/bench")),
        ("hello (C, WAGI)", Load(runtime, "hello", "hello/hello.wasm", FunctionAbi.Wagi), new(PathInfo: "/bench", QueryString: "name=bench")),
        ("echo 256 B (WAT, raw)", Load(runtime, "echo", "echo-raw/echo.wasm", FunctionAbi.Raw), new(Method: "POST", Body: new byte[256])),
    ];

    /// <summary>One invocation that must succeed.</summary>
    public static void InvokeOk(FunctionRuntime runtime, LoadedFunction function, InvocationRequest request)
    {
        var result = Complete(runtime.InvokeAsync(function, request));
        if (result.Outcome != InvocationOutcome.Ok) throw new InvalidOperationException(result.Message);
    }

    private static LoadedFunction Load(FunctionRuntime runtime, string name, string path, FunctionAbi abi) =>
        runtime.LoadAsync(new FunctionDefinition(name, abi), Bytes(path)).GetAwaiter().GetResult();

    /// <summary>Default options, but no disk cache (the module is compiled once in setup; only invocation is measured).</summary>
    public static FunctionRuntime CreateRuntime() => new(new FunctionRuntimeOptions { SiteName = "bench" });
}
