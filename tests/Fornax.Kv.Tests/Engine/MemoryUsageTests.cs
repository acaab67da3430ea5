using System.Text;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Tests.Resp;

namespace Fornax.Kv.Tests.Engine;

/// <summary>MEMORY USAGE: counted from the objects that hold a key, so it moves with what the key holds, byte for byte.</summary>
public sealed class MemoryUsageTests
{
    [Fact]
    public void TheFixedPart_IsWhatTheRuntimeAllocatesForAKeyState()
    {
        var key = Encoding.ASCII.GetBytes("cart:1");
        _ = new KeyState(key); // the type's first use is not measured
        var before = GC.GetAllocatedBytesForCurrentThread();
        var state = new KeyState(key);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        GC.KeepAlive(state);
        Assert.Equal(KeyState.FixedBytes, allocated);
    }

    [Fact]
    public async Task AValue_CountsItsBytes_AndASetItsMembers_SampledOrAll()
    {
        await using var server = new RespTestServer();
        await server.CallAsync("SET", "small", new string('x', 10));
        await server.CallAsync("SET", "large", new string('x', 1000));
        // An array of n bytes takes 24 + n rounded up to 8: 1,024 against 40.
        Assert.Equal(984, await UsageAsync(server, "large") - await UsageAsync(server, "small"));

        for (var i = 0; i < 1000; i++)
        {
            await server.CallAsync("SADD", "even", $"member:{i:D4}");
        }

        await server.CallAsync("SADD", "uneven", new string('m', 4000));
        for (var i = 0; i < 999; i++)
        {
            await server.CallAsync("SADD", "uneven", $"m:{i:D3}");
            await server.CallAsync("SADD", "few", $"m:{i:D3}");
        }

        // Members of one size: five of them tell the whole set's size exactly.
        Assert.Equal(await UsageAsync(server, "even", "0"), await UsageAsync(server, "even"));
        // SAMPLES 0 counts every member: the one large member is in it, whichever five a sample sees (its entry, its
        // 4,000 bytes with the array's 24, one dot of 16 in an array of its own).
        Assert.Equal(28 + 4024 + 40, await UsageAsync(server, "uneven", "0") - await UsageAsync(server, "few", "0"));
        Assert.Equal("$-1\r\n", await server.CallAsync("MEMORY", "USAGE", "missing"));
    }

    private static async Task<long> UsageAsync(RespTestServer server, string key, string? samples = null)
    {
        var reply = samples is null ? await server.CallAsync("MEMORY", "USAGE", key) : await server.CallAsync("MEMORY", "USAGE", key, "SAMPLES", samples);
        Assert.StartsWith(":", reply, StringComparison.Ordinal);
        return long.Parse(reply.AsSpan(1).TrimEnd("\r\n"), System.Globalization.CultureInfo.InvariantCulture);
    }
}
