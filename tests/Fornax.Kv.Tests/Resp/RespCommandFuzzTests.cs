using CsCheck;
using Fornax.Kv.Commands;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// Random commands with arguments drawn from what trips handlers (extreme numbers, options in the wrong places, keys of
/// every type), bounded in time, against the real engine. A handler bug shows as "ERR internal error" or a dead
/// connection; what this found is kept in <see cref="RespParseFuzzRegressionTests"/>.
/// </summary>
public sealed class RespCommandFuzzTests
{
    /// <summary>Every command but those that end the connection or change how its replies are framed (a subscribed
    /// connection answers one reply per channel, and PING as an array): PubSubTests checks those exactly.</summary>
    private static readonly string[] Names = [.. CommandTable.All.Values
        .Where(c => !c.IsUnsupported && c.Name is not ("quit" or "reset" or "subscribe" or "psubscribe" or "unsubscribe" or "punsubscribe"))
        .Select(c => c.Name)];

    private static readonly string[] Vocabulary =
    [
        "k1", "k2", "s1", "h1", "-1", "0", "1", "2", "10", "-10", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
        "1.5", "-0.5", "inf", "-inf", "nan", "", "NX", "XX", "GT", "LT", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "PERSIST",
        "MATCH", "COUNT", "TYPE", "string", "set", "hash", "WITHVALUES", "LIMIT", "REPLACE", "DB", "*", "k*", "[", "\\", "AUTH", "SETNAME",
    ];

    private static readonly Gen<string[]> Command = Gen.Select(
        Gen.Int[0, Names.Length - 1].Select(i => Names[i]),
        Gen.Frequency((6, Gen.Int[0, Vocabulary.Length - 1].Select(i => Vocabulary[i])), (1, Gen.String[0, 12])).Array[0, 6],
        (name, args) => (string[])[name, .. args]);

    /// <summary>Keys of every type exist first, so WRONGTYPE paths and half-done writes are reached.</summary>
    private static readonly string[][] Seed = [["SET", "k1", "10"], ["SADD", "s1", "a", "b"], ["HSET", "h1", "f", "1"], ["INCR", "k2"]];

    [Fact]
    public void RandomCommands_NeverFailInternally_AndTheConnectionLives()
    {
        Command.Array[1, 12].Sample(commands => RunAsync(commands).GetAwaiter().GetResult(), time: RespParseFuzzTests.FuzzSeconds, threads: 1,
            print: commands => string.Join(" | ", commands.Select(c => string.Join(' ', c.Select(a => $"'{a}'")))));
    }

    internal static async Task RunAsync(string[][] commands)
    {
        await using var server = new RespTestServer();
        foreach (var command in Seed.Concat(commands))
        {
            var reply = await server.CallAsync(command);
            Assert.False(reply.StartsWith("-ERR internal error", StringComparison.Ordinal), $"{string.Join(' ', command)} -> {reply}");
        }

        await server.CallAsync("DISCARD"); // a MULTI left open must not swallow the last check
        Assert.Equal("+PONG\r\n", await server.CallAsync("PING"));
    }
}
