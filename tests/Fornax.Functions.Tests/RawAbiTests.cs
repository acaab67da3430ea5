namespace Fornax.Functions.Tests;

public sealed class RawAbiTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task InvokeAsync_Echo_ReturnsBodyUnchanged(int size)
    {
        var fn = await _fx.LoadAsync("echo", Guests.Echo, FunctionAbi.Raw);
        var body = new byte[size];
        new Random(size).NextBytes(body);

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(Method: "POST", Body: body));

        Assert.Equal((InvocationOutcome.Ok, 200), (result.Outcome, result.StatusCode));
        Assert.Equal(body, result.Body.ToArray());
        Assert.Contains(new KeyValuePair<string, string>("Content-Type", "application/octet-stream"), result.Headers);
    }

    [Fact]
    public async Task InvokeAsync_ResponseOutsideMemory_ReturnsTrap()
    {
        var fn = await _fx.LoadAsync("liar", Guests.Wat("""
            (module (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) (i32.const 0))
              (func (export "handle") (param i32 i32) (result i64) (i64.const 0x0000fff000001000)))
            """), FunctionAbi.Raw);

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.Trap, "raw abi violation"), (result.Outcome, result.TrapKind));
        Assert.Equal("raw ABI violation: handle returned 4096 bytes at 65520, outside memory", result.Message);
    }

    [Fact]
    public async Task InvokeAsync_RawResponseOverCap_ReturnsOutputTooLarge()
    {
        using var fx = new TestRuntime(o => o with { StdoutLimitBytes = 1024 });
        var fn = await fx.LoadAsync("echo", Guests.Echo, FunctionAbi.Raw);

        var result = await fx.InvokeAsync(fn, new InvocationRequest(Body: new byte[2048]));

        Assert.Equal(InvocationOutcome.OutputTooLarge, result.Outcome);
        Assert.Equal("response exceeded the output cap of 1 KiB", result.Message);
    }

    [Fact]
    public async Task LoadAsync_RawModuleWithoutHandle_ThrowsAbiError()
    {
        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.LoadAsync("c", Guests.Counter, FunctionAbi.Raw));

        Assert.Equal("function 'c': the raw ABI requires an exported function alloc: (i32 len) -> i32 ptr", error.Message);
    }
}
