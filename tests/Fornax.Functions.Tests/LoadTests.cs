using System.Security.Cryptography;
using System.Text;

namespace Fornax.Functions.Tests;

public sealed class LoadTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task LoadAsync_NotWasm_ThrowsWithCompilerMessage()
    {
        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.LoadAsync("junk", "not wasm"u8.ToArray()));

        Assert.Equal("junk", error.FunctionName);
        Assert.StartsWith("function 'junk': module does not compile: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("magic header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_UnknownImport_ThrowsNamingIt()
    {
        var module = Guests.Wat("""(module (import "env" "now" (func)) (func (export "_start")))""");

        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.LoadAsync("imp", module));

        Assert.Equal("function 'imp': unsupported import env::now: functions may import only wasi_snapshot_preview1 and fornax", error.Message);
    }

    [Fact]
    public async Task LoadAsync_UnknownFornaxCall_ThrowsLinkErrorNamingIt()
    {
        var module = Guests.Wat("""(module (import "fornax" "lpush" (func)) (func (export "_start")))""");
        var binding = new State.FunctionStateBinding("default", ["lists"], ReadOnly: false);

        var error = await Assert.ThrowsAsync<FunctionCompileException>(() =>
            _fx.Runtime.LoadAsync(new FunctionDefinition("imp", State: binding), module));

        Assert.Contains("module does not link: unknown import: `fornax::lpush` has not been defined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_StateBindingOnARuntimeWithoutAStore_IsRefused()
    {
        var module = Guests.Wat("""(module (import "fornax" "del" (func (param i32 i32) (result i32))) (memory (export "memory") 1) (func (export "_start")))""");
        var binding = new State.FunctionStateBinding("default", ["visits"], ReadOnly: true);

        var error = await Assert.ThrowsAsync<FunctionCompileException>(() =>
            _fx.Runtime.LoadAsync(new FunctionDefinition("imp", State: binding), module));

        Assert.Equal("function 'imp': spec.state binds keyspaces, but this site has no KV store", error.Message);
    }

    [Fact]
    public async Task LoadAsync_UnknownWasiFunction_ThrowsLinkError()
    {
        var module = Guests.Wat("""(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (func (export "_start")))""");

        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.LoadAsync("imp", module));

        Assert.Contains("module does not link", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_call", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fd_write", "(param i32) (result i32)")] // served by the host, wrong type
    [InlineData("clock_time_get", "(param i32)")]          // Wasmtime's WASI, wrong type
    public async Task LoadAsync_WasiImportOfWrongType_ThrowsLinkErrorNamingIt(string name, string type)
    {
        var module = Guests.Wat($$"""(module (import "wasi_snapshot_preview1" "{{name}}" (func {{type}})) (func (export "_start")))""");

        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.LoadAsync("imp", module));

        Assert.Contains("module does not link", error.Message, StringComparison.Ordinal);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Null(_fx.Runtime.GetStats("imp"));
    }

    [Fact]
    public async Task LoadAsync_WagiModuleWithoutStart_ThrowsAbiError()
    {
        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.LoadAsync("echo", Guests.Echo, FunctionAbi.Wagi));

        Assert.Equal("function 'echo': the wagi ABI requires an exported function _start: () -> ()", error.Message);
    }

    [Fact]
    public async Task LoadAsync_DigestMismatch_Throws()
    {
        var definition = new FunctionDefinition("hello", Digest: "sha256:" + new string('0', 64));

        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.Runtime.LoadAsync(definition, Guests.Hello));

        Assert.StartsWith("function 'hello': digest mismatch: expected sha256:000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_GoodModule_ReturnsDigestWithoutRegistering()
    {
        var digest = await _fx.Runtime.CheckAsync(new FunctionDefinition("hello"), Guests.Hello);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Guests.Hello)), digest);
        Assert.Null(_fx.Runtime.GetStats("hello"));
        Assert.Empty(_fx.Runtime.GetAllStats());
    }

    [Fact]
    public async Task CheckAsync_NotWasm_ThrowsWithReasonWithoutFunctionName()
    {
        var error = await Assert.ThrowsAsync<FunctionCompileException>(() => _fx.Runtime.CheckAsync(new FunctionDefinition("junk"), "not wasm"u8.ToArray()));

        Assert.StartsWith("module does not compile: ", error.Reason, StringComparison.Ordinal);
        Assert.Equal($"function 'junk': {error.Reason}", error.Message);
    }

    [Fact]
    public async Task LoadAsync_SameModuleUnderTwoNames_CompilesOnce()
    {
        var a = await _fx.LoadAsync("a", Guests.Hello);
        var b = await _fx.LoadAsync("b", Guests.Hello);

        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Guests.Hello)), a.Digest);
        Assert.Equal(1, _fx.Runtime.GetRuntimeStats().Compiles);
    }

    [Fact]
    public async Task LoadAsync_SecondRuntimeOnSameCacheDirectory_LoadsWithoutCompiling()
    {
        string dir;
        using (var first = new TestRuntime { KeepCache = true })
        {
            dir = first.CacheDirectory;
            await first.LoadAsync("hello", Guests.Hello);
            Assert.Equal(new RuntimeStats(1, 0, 1, 1), first.Runtime.GetRuntimeStats());
        }
        using var second = new TestRuntime(cacheDirectory: dir);

        var fn = await second.LoadAsync("hello", Guests.Hello);
        var result = await second.InvokeAsync(fn);

        Assert.Equal(new RuntimeStats(Compiles: 0, DiskCacheLoads: 1, CachedModules: 1, Functions: 1), second.Runtime.GetRuntimeStats());
        Assert.StartsWith("Hello, world", Encoding.UTF8.GetString(result.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_CorruptCacheFile_RecompilesAndServes()
    {
        using (var first = new TestRuntime { KeepCache = true })
            await first.LoadAsync("hello", Guests.Hello);
        // Both runtimes share one directory; damage the artifact the first one wrote.
        string dir = Directory.GetDirectories(Path.Combine(Path.GetTempPath(), "fornax-fn-tests")).OrderByDescending(Directory.GetLastWriteTimeUtc).First();
        foreach (string file in Directory.GetFiles(dir, "*.cwasm", SearchOption.AllDirectories))
            await File.WriteAllBytesAsync(file, "garbage"u8.ToArray());
        using var second = new TestRuntime(cacheDirectory: dir);

        var fn = await second.LoadAsync("hello", Guests.Hello);

        Assert.Equal(1, second.Runtime.GetRuntimeStats().Compiles);
        Assert.Equal(InvocationOutcome.Ok, (await second.InvokeAsync(fn)).Outcome);
    }

    [Fact]
    public async Task LoadAsync_FromStream_LoadsSameDigest()
    {
        var fn = await _fx.Runtime.LoadAsync(new FunctionDefinition("hello"), () => new MemoryStream(Guests.Hello));

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Guests.Hello)), fn.Digest);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingFieldAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => new FunctionRuntime(new FunctionRuntimeOptions { MaxMemoryBytes = 1000 }));

        Assert.StartsWith("FunctionRuntimeOptions.MaxMemoryBytes: 1000 must be a positive multiple of 65536", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_FunctionMemoryOverRuntimeCeiling_ThrowsNamingIt()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _fx.LoadAsync("hello", Guests.Hello, limits: new(MemoryBytes: 1024L * 1024 * 1024)));

        Assert.StartsWith("function 'hello' limits.MemoryBytes: 1073741824 must be between 65536 and MaxMemoryBytes (67108864)",
            error.Message, StringComparison.Ordinal);
    }
}
