using System.Net;
using Fornax.Testing;

namespace Fornax.Node.Tests.State;

/// <summary>
/// Guests that hand the <c>fornax</c> API pointers and lengths outside their memory, or over the limits: each traps
/// with a message that says which argument, nothing is written, and the site goes on serving.
/// </summary>
public sealed class HostileStateGuestTests
{
    /// <summary>A WAGI guest whose <c>_start</c> makes one <c>fornax</c> call and returns; "visits:x" is at address 0.</summary>
    private static byte[] Calling(string import, string signature, string arguments, int pages = 1) => Wasmtime.Module.ConvertText($$"""
        (module
          (import "fornax" "{{import}}" (func $call {{signature}}))
          (memory (export "memory") {{pages}})
          (data (i32.const 0) "visits:x")
          (func (export "_start") (drop (call $call {{arguments}}))))
        """).ToArray();

    private const string FourI32 = "(param i32 i32 i32 i32) (result i32)";

    private static async Task<(HttpStatusCode Status, string Body)> RunAsync(TestSite site, string name, byte[] guest)
    {
        var digest = await site.UploadAsync(guest);
        var yaml = FunctionSite.FunctionYaml(name, digest, "  state: {keyspaces: [visits]}\n");
        var response = await site.PutYamlAsync("functions", name, yaml);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await site.WaitUntilServedAsync(name, digest);
        using var ingress = site.Ingress();
        return await ingress.SendAsync(HttpMethod.Get, $"/fn/{name}");
    }

    public static TheoryData<string, string, string, string> Calls => new()
    {
        { "get", FourI32, "(i32.const 65530) (i32.const 8) (i32.const 0) (i32.const 8)",
            "fornax.get: key of 8 bytes at 65530 reaches past the guest's memory of 65536 bytes" },
        { "get", FourI32, "(i32.const 0) (i32.const -1) (i32.const 0) (i32.const 8)",
            "fornax.get: key of 4294967295 bytes is over the limit of 4 KiB" },
        { "get", FourI32, "(i32.const 0) (i32.const 8) (i32.const 0) (i32.const 2147483647)",
            "fornax.get: out buffer of 2147483647 bytes at 0 reaches past the guest's memory of 65536 bytes" },
        { "hgetall", FourI32, "(i32.const 0) (i32.const 8) (i32.const -8) (i32.const 16)",
            "fornax.hgetall: out buffer of 16 bytes at 4294967288 reaches past the guest's memory of 65536 bytes" },
        { "set", FourI32, "(i32.const 0) (i32.const 8) (i32.const 16) (i32.const 65536)",
            "fornax.set: value of 65536 bytes at 16 reaches past the guest's memory of 65536 bytes" },
        { "sadd", FourI32, "(i32.const 0) (i32.const 8) (i32.const 0) (i32.const -2147483648)",
            "fornax.sadd: member of 2147483648 bytes is over the limit of 1 MiB" },
        { "incr", "(param i32 i32 i64 i32) (result i32)", "(i32.const 0) (i32.const 8) (i64.const 1) (i32.const 65532)",
            "fornax.incr: out buffer of 8 bytes at 65532 reaches past the guest's memory of 65536 bytes" },
        { "hset", "(param i32 i32 i32 i32 i32 i32) (result i32)", "(i32.const 0) (i32.const 8) (i32.const 0) (i32.const 5000) (i32.const 0) (i32.const 1)",
            "fornax.hset: field of 5000 bytes is over the limit of 4 KiB" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_WithArgumentsOutOfRange_TrapsNamingTheArgument_AndWritesNothing(string import, string signature, string arguments, string expected)
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");

        var (status, body) = await RunAsync(site, "hostile", Calling(import, signature, arguments));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal($"function trapped: {expected}\n", body);
        using var redis = await site.RedisAsync();
        Assert.False(await redis.GetDatabase().KeyExistsAsync("visits:x"));
    }

    [Fact]
    public async Task Set_ValueOverTheLimit_TrapsBeforeTheStoreCopiesIt_AndTheSiteServesOn()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");
        // 32 pages = 2 MiB of memory: a value of 1 MiB + 1 is inside the guest, over the limit.
        var guest = Calling("set", FourI32, "(i32.const 0) (i32.const 8) (i32.const 16) (i32.const 1048577)", pages: 32);

        var (status, body) = await RunAsync(site, "bigvalue", guest);

        Assert.Equal((HttpStatusCode.InternalServerError, "function trapped: fornax.set: value of 1048577 bytes is over the limit of 1 MiB\n"), (status, body));
        var fine = await RunAsync(site, "fine", Calling("set", FourI32, "(i32.const 0) (i32.const 8) (i32.const 0) (i32.const 8)"));
        Assert.Equal(HttpStatusCode.OK, fine.Status); // a call within the limits: it writes, and the (empty) response is 200
        using var redis = await site.RedisAsync();
        Assert.Equal("visits:x", (string?)await redis.GetDatabase().StringGetAsync("visits:x"));
    }

    [Fact]
    public async Task Call_FromAModuleWithoutMemory_TrapsSayingSo()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");
        var guest = Wasmtime.Module.ConvertText("""
            (module
              (import "fornax" "del" (func $del (param i32 i32) (result i32)))
              (func (export "_start") (drop (call $del (i32.const 0) (i32.const 8)))))
            """).ToArray();

        var (status, body) = await RunAsync(site, "nomemory", guest);

        Assert.Equal((HttpStatusCode.InternalServerError, "function trapped: fornax.del: the module exports no memory named \"memory\"\n"), (status, body));
    }
}
