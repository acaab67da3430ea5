namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// Where <see cref="RedisDifferentialTests"/> found the RESP port answering otherwise than redis-server 7.0.15: each row
/// is redis-server's reply, byte for byte, over the same keys (<c>k1</c> = "10", <c>k2</c> a string with a time to live,
/// <c>s1</c> and <c>s2</c> sets, <c>h1</c> a hash). Mostly which check comes first when a command is wrong twice over.
/// </summary>
public sealed class RedisDifferentialRegressionTests
{
    [Theory]
    // EXEC refused before it runs ends any transaction, in Redis's rejectCommand words: outside a MULTI too.
    [InlineData("EXEC s1", "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n")]
    // A cursor is read as C's strtoul reads it: a minus wraps around (the options are then read), a lone sign is no number.
    [InlineData("SCAN -1 COUNT x", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("SSCAN s1 -1 MATCH", "-ERR syntax error\r\n")]
    [InlineData("SCAN +", "-ERR invalid cursor\r\n")]
    // INCRBYFLOAT looks at the key's type before its increment.
    [InlineData("INCRBYFLOAT s2 k2", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")]
    // A count that cannot be negated.
    [InlineData("SRANDMEMBER nokey -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n")]
    [InlineData("HRANDFIELD nokey -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n")]
    // HRANDFIELD: its count, then its options, then WITHVALUES's bound, then the key.
    [InlineData("HRANDFIELD nokey nokey h2", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("HRANDFIELD nokey 9223372036854775807 WITHVALUES", "-ERR value is out of range\r\n")]
    // SINTERCARD's count: one message for anything but a positive number.
    [InlineData("SINTERCARD h1 h1", "-ERR numkeys should be greater than 0\r\n")]
    [InlineData("SINTERCARD 1 s1 LIMIT k* s2", "-ERR LIMIT can't be negative\r\n")]
    [InlineData("SINTERCARD 1 s1 LIMIT 5 LIMIT 1", ":1\r\n")]
    // EXPIRE's options before its time.
    [InlineData("EXPIRE nokey k1 k1", "-ERR Unsupported option k1\r\n")]
    [InlineData("EXPIRE k1 x NX XX", "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")]
    // GETEX: its key before its time.
    [InlineData("GETEX nokey EX h1", "$-1\r\n")]
    [InlineData("GETEX s1 EX h1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")]
    // SET and GETEX take one expiry form repeated (the last counts), and read the time after every option.
    [InlineData("SET nokey v PX 100 PX h2", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("SET nokey v EX x FOO", "-ERR syntax error\r\n")]
    [InlineData("SET nokey v EX 100 PX 100", "-ERR syntax error\r\n")]
    // HINCRBYFLOAT refuses an infinite increment before it looks at the key.
    [InlineData("HINCRBYFLOAT k1 f inf", "-ERR value is NaN or Infinity\r\n")]
    // HSCAN and SSCAN look at the key before their options.
    [InlineData("HSCAN s2 10 s2", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")]
    [InlineData("SSCAN nokey 0 COUNT", "*2\r\n$1\r\n0\r\n*0\r\n")]
    // SMOVE from a missing key answers 0 whatever the destination holds.
    [InlineData("SMOVE nokey h1 a", ":0\r\n")]
    [InlineData("SMOVE h1 s1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")]
    // COPY reads every option before refusing a database other than 0 (Redis has 16).
    [InlineData("COPY k1 k3 DB 3 f", "-ERR syntax error\r\n")]
    [InlineData("COPY k1 k3 DB 16", "-ERR DB index is out of range\r\n")]
    [InlineData("COPY k1 k3 DB -9223372036854775808", "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")]
    public async Task AnswersAsRedisServer_AndChangesNothingRefused(string command, string expected)
    {
        await using var server = new RespTestServer();
        foreach (var seed in (string[][])[["SET", "k1", "10"], ["SET", "k2", "hello", "EX", "100"], ["SADD", "s1", "a", "b", "c"], ["SADD", "s2", "b", "1"], ["HSET", "h1", "f", "1"]])
        {
            await server.CallAsync(seed);
        }

        Assert.Equal(expected, await server.CallAsync(command.Split(' ')));
        Assert.Equal(":5\r\n", await server.CallAsync("DBSIZE"));
        Assert.Equal("$2\r\n10\r\n", await server.CallAsync("GET", "k1"));
        Assert.Equal("+PONG\r\n", await server.CallAsync("PING"));
    }
}
