using System.Globalization;
using CsCheck;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// Random command sequences, sent both to the RESP port (over the real engine) and to a real redis-server 7: every reply
/// must be the same, byte for byte, errors included — what "Redis 7's syntax, replies and error texts" means. Where
/// Redis's answer is not determined by the commands (an order, a random pick, a clock), both replies are reduced to
/// what is (<see cref="Normalize"/>). The commands are the data commands of docs/kv.md and transactions; commands
/// whose answers are the server's own (INFO, CLIENT, HELLO, AUTH, SELECT n, …) are compared by hand in
/// <see cref="RespCommandTests"/>. What this found is kept as exact rows there and in <see cref="RespBoundsTests"/>.
/// </summary>
public sealed class RedisDifferentialTests(RedisDifferentialTests.Redis redis) : IClassFixture<RedisDifferentialTests.Redis>
{
    public sealed class Redis : IAsyncLifetime
    {
        public RedisServerProcess Server { get; } = new();

        public Task InitializeAsync() => Server.WaitUntilReadyAsync();

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }
    }

    private static readonly string[] Names =
    [
        // keys
        "DEL", "UNLINK", "EXISTS", "TYPE", "TOUCH", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "EXPIRETIME", "PEXPIRETIME",
        "TTL", "PTTL", "PERSIST", "KEYS", "SCAN", "RANDOMKEY", "RENAME", "RENAMENX", "COPY",
        // strings and counters
        "GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "MGET", "MSET", "MSETNX", "APPEND", "STRLEN",
        "GETRANGE", "SETRANGE", "INCR", "INCRBY", "INCRBYFLOAT", "DECR", "DECRBY",
        // hashes
        "HSET", "HSETNX", "HMSET", "HGET", "HMGET", "HDEL", "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "HSTRLEN",
        "HINCRBY", "HINCRBYFLOAT", "HSCAN", "HRANDFIELD",
        // sets (SPOP's pick is random and changes what follows: left out)
        "SADD", "SREM", "SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SRANDMEMBER", "SSCAN", "SMOVE", "SUNION", "SINTER",
        "SDIFF", "SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE", "SINTERCARD",
        // the rest a client's data traffic uses
        "PING", "ECHO", "DBSIZE", "FLUSHDB", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "NOSUCHCOMMAND",
    ];

    private static readonly string[] Keys = ["k1", "k2", "s1", "s2", "h1", "h2", "nokey"];

    private static readonly string[] Vocabulary =
    [
        "f", "g", "a", "b", "c", "-1", "0", "1", "2", "3", "10", "100", "-10", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "1.5", "-0.5", "0.1", "1e3", "inf", "-inf", "nan", "abc", "", "9999999999", "9999999999999",
        "NX", "XX", "GT", "LT", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "PERSIST", "MATCH", "COUNT", "TYPE", "string",
        "set", "hash", "WITHVALUES", "LIMIT", "REPLACE", "DB", "*", "k*", "?1", "ASYNC",
    ];

    /// <summary>A word as a client may spell it: as written, lower case, or mixed (names and options are case-blind).</summary>
    private static Gen<string> AnyCase(string word) => Gen.Int[0, 3].Select(c => c switch
    {
        0 => word.ToLowerInvariant(),
        1 => string.Concat(word.Select((ch, i) => i % 2 == 0 ? char.ToLowerInvariant(ch) : ch)),
        _ => word,
    });

    private static readonly Gen<string> Arg = Gen.Frequency(
        (5, Gen.Int[0, Keys.Length - 1].Select(i => Keys[i])),
        (6, Gen.Int[0, Vocabulary.Length - 1].SelectMany(i => AnyCase(Vocabulary[i]))),
        (1, Gen.Char[' ', '~'].Array[0, 8].Select(chars => new string(chars))));

    private static readonly Gen<string[]> Command = Gen.Select(
        Gen.Int[0, Names.Length - 1].SelectMany(i => AnyCase(Names[i])), Arg.Array[0, 6], (name, args) => (string[])[name, .. args]);

    /// <summary>Keys of every type first, some with a time to live, so that WRONGTYPE and expiry paths are reached.</summary>
    private static readonly string[][] Seed =
    [
        ["SET", "k1", "10"], ["SET", "k2", "hello", "EX", "100"], ["SADD", "s1", "a", "b", "c"], ["SADD", "s2", "b", "1"],
        ["HSET", "h1", "f", "1", "g", "x"], ["HSET", "h2", "f", "1.5"],
    ];

    /// <param name="protocol">RESP2 or RESP3 (HELLO 3 first, on both).</param>
    /// <param name="pipelined">The commands go to the RESP port in one write (its path for a pipelined burst), each
    /// to redis-server after the reply to the one before.</param>
    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    public void RandomCommands_AnswerAsRedisServerDoes(int protocol, bool pipelined)
    {
        Command.Array[1, 10].Sample(commands => CompareAsync(protocol, pipelined, commands).GetAwaiter().GetResult(), time: RespParseFuzzTests.FuzzSeconds, threads: 1,
            print: commands => string.Join(" | ", commands.Select(c => string.Join(' ', c.Select(a => $"'{a}'")))));
    }

    private async Task CompareAsync(int protocol, bool pipelined, string[][] commands)
    {
        await using var fornax = new RespTestServer();
        using var reference = await redis.Server.ConnectAsync();
        Assert.Equal("+OK\r\n", await reference.CallAsync(["FLUSHALL"]));
        if (protocol == 3)
        {
            // HELLO's own reply names each server: not compared.
            Assert.StartsWith("%", await reference.CallAsync(["HELLO", "3"]), StringComparison.Ordinal);
            Assert.StartsWith("%", await fornax.CallAsync("HELLO", "3"), StringComparison.Ordinal);
        }

        string[][] all = [.. Seed, .. commands];
        List<string> expectedReplies = [];
        foreach (var command in all)
        {
            expectedReplies.Add(await reference.CallAsync(command));
        }

        List<string> actualReplies = [];
        if (pipelined)
        {
            await fornax.SendRawAsync(ParserHarness.Encode(all.Select(c => c.Select(System.Text.Encoding.UTF8.GetBytes).ToArray())));
        }

        foreach (var command in all)
        {
            actualReplies.Add(pipelined ? await fornax.ReadReplyAsync() : await fornax.CallAsync(command));
        }

        List<string[]> queued = [];
        var inMulti = false;
        foreach (var (command, expected, actual) in all.Zip(expectedReplies, actualReplies))
        {
            var name = command[0].ToUpperInvariant();
            if (inMulti && expected == "+QUEUED\r\n")
            {
                queued.Add(command);
            }

            var verdict = name == "EXEC" && Split(expected) is { } expectedItems && Split(actual) is { } actualItems
                && expectedItems.Count == queued.Count && actualItems.Count == queued.Count
                ? queued.Select((q, i) => Compare(q[0].ToUpperInvariant(), expectedItems[i], actualItems[i])).DefaultIfEmpty(Verdict.Same).Max()
                : Compare(name, expected, actual);
            if (verdict == Verdict.StopComparing)
            {
                return;
            }

            Assert.True(verdict != Verdict.Differs, $"{string.Join(' ', command)}\n redis-server: {Show(expected)}\n fornax:       {Show(actual)}");
            if (name == "MULTI" && expected == "+OK\r\n")
            {
                (inMulti, queued) = (true, []);
            }
            else if (name is "EXEC" or "DISCARD" && !expected.StartsWith('-') || expected.StartsWith("-EXECABORT", StringComparison.Ordinal))
            {
                inMulti = false;
            }
        }
    }

    /// <summary>Both replies are bulk numbers within double's precision of each other.</summary>
    private static bool NearlyEqual(string expected, string actual)
    {
        static double? Number(string reply) => reply.StartsWith('$') && reply.Split("\r\n") is [_, var text, ..]
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

        return Number(expected) is { } x && Number(actual) is { } y && Math.Abs(x - y) <= 1e-14 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)));
    }

    private static string Show(string reply) => reply.Replace("\r\n", "\\r\\n", StringComparison.Ordinal);

    private enum Verdict
    {
        Same,
        Differs,
        StopComparing,
    }

    /// <summary>One reply (or one element of EXEC's) against redis-server's, with the differences this store means to have.</summary>
    private static Verdict Compare(string name, string expected, string actual)
    {
        if (name is "INCRBYFLOAT" or "HINCRBYFLOAT" && expected != actual && NearlyEqual(expected, actual))
        {
            // Redis adds in C's long double (64-bit mantissa), the engine in double (53 bits): a sum past double's
            // precision, or Redis's long double showing in its 17 decimals, differs in the last digits (docs/kv.md,
            // "INCRBYFLOAT"). Nothing after it can be compared: the stored values differ.
            return Verdict.StopComparing;
        }

        if (name == "COPY" && actual == "-ERR DB index is out of range\r\n" && !expected.StartsWith('-'))
        {
            return Verdict.Same; // a copy into Redis's database 1 to 15: this store has database 0 only (docs/kv.md), left alone
        }

        return Normalize(name, expected) == Normalize(name, actual) ? Verdict.Same : Verdict.Differs;
    }

    /// <summary>
    /// What of a reply Redis determines: an error, exactly; a time to live or an expiry time, whether there is one (Redis
    /// and the engine read different clocks); a set's members, a hash's fields and KEYS's keys in sorted order (their order is
    /// the server's); a random pick or a scan's page, only its shape.
    /// </summary>
    private static string Normalize(string name, string reply)
    {
        if (reply.StartsWith('-') || reply == "+QUEUED\r\n")
        {
            return reply;
        }

        switch (name)
        {
            case "TTL" or "PTTL" or "EXPIRETIME" or "PEXPIRETIME":
                var value = long.Parse(reply[1..^2], CultureInfo.InvariantCulture);
                return value < 0 ? reply : ":positive\r\n";
            case "KEYS" or "SMEMBERS" or "SUNION" or "SINTER" or "SDIFF" or "HKEYS" or "HVALS":
                return Sorted(reply, 1);
            case "HGETALL":
                return Sorted(reply, 2);
            case "SCAN" or "SSCAN" or "HSCAN" or "RANDOMKEY":
                return reply[..1];
            case "SRANDMEMBER" or "HRANDFIELD":
                return reply.StartsWith('*') ? reply[..reply.IndexOf('\r', StringComparison.Ordinal)] : reply[..1] + (reply == "$-1\r\n" ? "nil" : "");
            default:
                return reply;
        }
    }

    private static string Sorted(string reply, int group)
    {
        var items = Split(reply);
        if (items is null)
        {
            return reply;
        }

        var groups = items.Chunk(group).Select(chunk => string.Concat(chunk)).Order(StringComparer.Ordinal).ToList();
        return reply[..(reply.IndexOf("\r\n", StringComparison.Ordinal) + 2)] + string.Concat(groups);
    }

    /// <summary>The elements of an array, set or map reply (a map's keys and values in turn; null for anything else).</summary>
    private static List<string>? Split(string reply)
    {
        if (reply.Length == 0 || reply[0] is not ('*' or '~' or '%') || reply.StartsWith("*-1", StringComparison.Ordinal))
        {
            return null;
        }

        var header = reply.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        var count = int.Parse(reply[1..(header - 2)], CultureInfo.InvariantCulture) * (reply[0] == '%' ? 2 : 1);
        List<string> items = [];
        var at = header;
        for (var i = 0; i < count; i++)
        {
            var length = RespTestServer.ReplyLength(reply, at)!.Value;
            items.Add(reply.Substring(at, length));
            at += length;
        }

        return items;
    }
}
