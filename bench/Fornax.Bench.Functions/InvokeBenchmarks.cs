using BenchmarkDotNet.Attributes;
using Fornax.Functions;

namespace Fornax.Bench.Functions;

/// <summary>
/// Instantiate + call of an already compiled (cached) module: the per-request cost of a function.
/// Baseline: the WAT counter, the smallest WAGI guest (one fd_write), so the C hello's extra cost is libc start-up.
/// </summary>
[MemoryDiagnoser]
public class InvokeBenchmarks
{
    private FunctionRuntime _runtime = null!;
    private LoadedFunction _hello = null!;
    private LoadedFunction _counter = null!;
    private LoadedFunction _echo = null!;
    private readonly InvocationRequest _helloRequest = new(PathInfo: "/bench", QueryString: "name=bench", ScriptName: "/fn/hello");
    private readonly InvocationRequest _echoRequest = new(Method: "POST", Body: new byte[256]);

    [GlobalSetup]
    public void Setup()
    {
        _runtime = Guests.CreateRuntime();
        _hello = _runtime.LoadAsync(new FunctionDefinition("hello"), Guests.Bytes("hello/hello.wasm")).GetAwaiter().GetResult();
        _counter = _runtime.LoadAsync(new FunctionDefinition("counter"), Guests.Bytes("counter/counter.wasm")).GetAwaiter().GetResult();
        _echo = _runtime.LoadAsync(new FunctionDefinition("echo", FunctionAbi.Raw), Guests.Bytes("echo-raw/echo.wasm")).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Baseline = true, Description = "counter (WAT, WAGI)")]
    public int CounterWagi() => Check(Guests.Complete(_runtime.InvokeAsync(_counter, _helloRequest)));

    [Benchmark(Description = "hello (C, WAGI)")]
    public int HelloWagi() => Check(Guests.Complete(_runtime.InvokeAsync(_hello, _helloRequest)));

    [Benchmark(Description = "echo 256 B (WAT, raw)")]
    public int EchoRaw() => Check(Guests.Complete(_runtime.InvokeAsync(_echo, _echoRequest)));

    private static int Check(InvocationResult result) =>
        result.Outcome == InvocationOutcome.Ok ? result.Body.Length : throw new InvalidOperationException(result.Message);
}
