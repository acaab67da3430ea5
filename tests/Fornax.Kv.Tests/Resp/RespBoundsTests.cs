namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// Offsets, counts and times at the edges of a 64-bit integer: each answers Redis 7's error (checked against
/// redis-server 7.0.15), never an internal error. Every row was a bug found by <see cref="RespCommandFuzzTests"/>.
/// </summary>
public sealed class RespBoundsTests
{
    [Theory]
    // Seed 4sKionZXqrU2: offset + length overflowed past the 512 MB check and the allocation threw.
    [InlineData("SETRANGE k1 9223372036854775807 1", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n")]
    [InlineData("SETRANGE k1 536870911 12", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n")]
    [InlineData("SETRANGE k1 -1 1", "-ERR offset is out of range\r\n")]
    public async Task ExtremeArguments_AnswerRedisErrors_AndChangeNothing(string command, string expected)
    {
        await using var server = new RespTestServer();
        Assert.Equal("+OK\r\n", await server.CallAsync("SET", "k1", "10"));
        Assert.Equal(expected, await server.CallAsync(command.Split(' ')));
        Assert.Equal("$2\r\n10\r\n", await server.CallAsync("GET", "k1"));
        Assert.Equal("+PONG\r\n", await server.CallAsync("PING"));
    }

    /// <summary>An empty MATCH pattern matches only the empty key (it was read as no pattern: every key); COUNT is a
    /// hint that may be any positive 64-bit number (it was refused past 2^31).</summary>
    [Theory]
    [InlineData("KEYS", "*1\r\n$0\r\n\r\n")]
    [InlineData("SCAN 0 MATCH", "*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n")]
    [InlineData("SCAN 0 COUNT 9223372036854775807 MATCH k1", "*2\r\n$1\r\n0\r\n*1\r\n$2\r\nk1\r\n")]
    public async Task KeyScans_AnswerAsRedis(string command, string expected)
    {
        await using var server = new RespTestServer();
        await server.CallAsync("SET", "k1", "10");
        await server.CallAsync("SET", "", "empty");
        string[] args = [.. command.Split(' ')];
        Assert.Equal(expected, await server.CallAsync(command.EndsWith("MATCH", StringComparison.Ordinal) || command == "KEYS" ? [.. args, ""] : args));
    }
}
