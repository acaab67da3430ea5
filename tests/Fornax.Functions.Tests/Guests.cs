using Wasmtime;

namespace Fornax.Functions.Tests;

/// <summary>The committed example and test guests (copied to guests/ in the output directory), and small inline ones.</summary>
internal static class Guests
{
    public static byte[] Bytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "guests", relativePath));

    public static byte[] Hello => Bytes("hello/hello.wasm");
    public static byte[] PrintEnv => Bytes("testing/printenv.wasm");
    public static byte[] DeepStack => Bytes("testing/deepstack.wasm");
    public static byte[] JsonTransform => Bytes("json-transform/json-transform.wasm");
    public static byte[] Echo => Bytes("echo-raw/echo.wasm");
    public static byte[] Counter => Bytes("counter/counter.wasm");
    public static byte[] Loop => Bytes("misbehave/loop.wasm");
    public static byte[] MemoryBomb => Bytes("misbehave/membomb.wasm");
    public static byte[] BigOutput => Bytes("misbehave/bigoutput.wasm");
    public static byte[] Trap => Bytes("misbehave/trap.wasm");
    public static byte[] OpenFile => Bytes("misbehave/openfile.wasm");

    /// <summary>A WAGI guest that prints <paramref name="output"/> to stdout, for response-parsing cases.</summary>
    public static byte[] Printing(string output)
    {
        string escaped = string.Concat(System.Text.Encoding.UTF8.GetBytes(output).Select(b => $"\\{b:x2}"));
        int length = System.Text.Encoding.UTF8.GetByteCount(output);
        return Wat($$"""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 64) "{{escaped}}")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 64))
                (i32.store (i32.const 4) (i32.const {{length}}))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """);
    }

    public static byte[] Wat(string text) => Module.ConvertText(text).ToArray();
}

/// <summary>Creates runtimes sized for tests (a small pool, a private cache directory) and cleans up after them.</summary>
internal sealed class TestRuntime : IDisposable
{
    public TestRuntime(Func<FunctionRuntimeOptions, FunctionRuntimeOptions>? configure = null, string? cacheDirectory = null)
    {
        CacheDirectory = cacheDirectory ?? Path.Combine(Path.GetTempPath(), "fornax-fn-tests", Guid.NewGuid().ToString("N"));
        var options = new FunctionRuntimeOptions
        {
            CacheDirectory = CacheDirectory,
            SiteName = "test-site",
            MaxInstances = 32,
            // Small pools: several runtimes live at once in a test run, each reserving address space per slot.
            MaxMemoryBytes = 64 * 1024 * 1024,
        };
        Runtime = new FunctionRuntime(configure?.Invoke(options) ?? options);
    }

    public FunctionRuntime Runtime { get; }
    public string CacheDirectory { get; }
    public bool KeepCache { get; set; }

    public Task<LoadedFunction> LoadAsync(string name, byte[] module, FunctionAbi abi = FunctionAbi.Wagi, FunctionLimits? limits = null,
        IReadOnlyDictionary<string, string>? env = null) =>
        Runtime.LoadAsync(new FunctionDefinition(name, abi, env, limits), module);

    public async Task<InvocationResult> InvokeAsync(LoadedFunction fn, InvocationRequest? request = null) =>
        await Runtime.InvokeAsync(fn, request ?? new InvocationRequest());

    public void Dispose()
    {
        Runtime.Dispose();
        if (!KeepCache && Directory.Exists(CacheDirectory)) Directory.Delete(CacheDirectory, recursive: true);
    }
}
