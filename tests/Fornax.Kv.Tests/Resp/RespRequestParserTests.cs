using CsCheck;
using static Fornax.Kv.Tests.Resp.ParserHarness;

namespace Fornax.Kv.Tests.Resp;

public sealed class RespRequestParserTests
{
    private static readonly Gen<byte[]> Arg = Gen.OneOf(Gen.Byte.Array[0, 40], Gen.Byte.Array[0, 3000], Gen.Const("\r\n*$"u8.ToArray()));

    private static readonly Gen<byte[][]> Command = Arg.Array[1, 6];

    [Fact]
    public void Pipeline_InRandomChunks_ParsesEveryCommandExactly()
    {
        Gen.Select(Command.Array[1, 12], Gen.Int[1, 64].Array[1, 8]).Sample((commands, sizes) =>
        {
            var outcome = Parse(Chunk(Encode(commands), sizes));

            Assert.Null(outcome.Error);
            Assert.Equal(0, outcome.Unconsumed);
            Assert.Equal(commands.Length, outcome.Commands.Count);
            for (var i = 0; i < commands.Length; i++)
            {
                Assert.Equal(commands[i], outcome.Commands[i]);
            }
        }, iter: 500);
    }

    [Fact]
    public void AnyPrefixOfAPipeline_IsNeverAnError_AndYieldsOnlyWholeCommands()
    {
        Gen.Select(Command.Array[1, 6], Gen.Double[0, 1], Gen.Int[1, 32]).Sample((commands, cut, chunk) =>
        {
            var bytes = Encode(commands);
            var prefix = bytes[..(int)(bytes.Length * cut)];

            var outcome = Parse(Chunk(prefix, [chunk]));

            Assert.Null(outcome.Error);
            Assert.True(outcome.Commands.Count <= commands.Length);
            for (var i = 0; i < outcome.Commands.Count; i++)
            {
                Assert.Equal(commands[i], outcome.Commands[i]);
            }
        }, iter: 500);
    }

    [Fact]
    public void BulkLargerThanAnyChunk_IsConsumedAsItArrives()
    {
        var big = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(big);
        var bytes = Encode([["SET"u8.ToArray(), "k"u8.ToArray(), big]]);

        // Only the first 1 MiB arrives: the parser must have consumed (copied) it, not kept it in the pipe.
        var partial = Parse(Chunk(bytes[..(1024 * 1024)], [4096]));
        var whole = Parse(Chunk(bytes, [4096]));

        Assert.Empty(partial.Commands);
        Assert.True(partial.Unconsumed < 64, $"{partial.Unconsumed} bytes left unconsumed");
        Assert.Equal(big, Assert.Single(whole.Commands)[2]);
    }

    [Theory]
    [InlineData("PING\r\n", new[] { "PING" })]
    [InlineData("PING\n", new[] { "PING" })]
    [InlineData("  set   k  v \r\n", new[] { "set", "k", "v" })]
    [InlineData("SET \"a b\" 'c d'\r\n", new[] { "SET", "a b", "c d" })]
    [InlineData("ECHO \"x\\x41\\n\"\r\n", new[] { "ECHO", "xA\n" })]
    [InlineData("ECHO 'it\\'s'\r\n", new[] { "ECHO", "it's" })]
    [InlineData("\r\n\r\nPING\r\n", new[] { "PING" })]
    [InlineData("*0\r\n*-1\r\nPING\r\n", new[] { "PING" })]
    public void Inline_SplitsAsRedis(string input, string[] expected)
    {
        var outcome = Parse([Ascii(input)]);

        Assert.Null(outcome.Error);
        Assert.Equal(expected, Assert.Single(outcome.Commands).Select(a => System.Text.Encoding.ASCII.GetString(a)));
    }

    [Theory]
    [InlineData("*abc\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*01\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*+1\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*1\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*2000000\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*3\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'")]
    [InlineData("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$3\r\nabcXY", "ERR Protocol error: bulk string not followed by CRLF")]
    [InlineData("SET \"a b\r\n", "ERR Protocol error: unbalanced quotes in request")]
    [InlineData("SET \"a\"b\r\n", "ERR Protocol error: unbalanced quotes in request")]
    public void MalformedInput_GetsRedisErrorText(string input, string error)
    {
        var outcome = Parse([Ascii(input)]);

        Assert.Equal(error, outcome.Error);
    }

    [Fact]
    public void BulkOverTheLimit_IsRefusedFromItsHeader()
    {
        var outcome = Parse([Ascii("*2\r\n$3\r\nGET\r\n$1025\r\n")], maxBulk: 1024);

        Assert.Equal("ERR Protocol error: invalid bulk length", outcome.Error);
        Assert.Empty(outcome.Commands);
    }

    [Fact]
    public void Strangers_GetRedisUnauthenticatedLimits()
    {
        Assert.Equal("ERR Protocol error: unauthenticated multibulk length", Parse([Ascii("*11\r\n")], authenticated: false).Error);
        Assert.Equal("ERR Protocol error: unauthenticated bulk length", Parse([Ascii("*1\r\n$16385\r\n")], authenticated: false).Error);
        Assert.Null(Parse([Ascii("*10\r\n$16384\r\n")], authenticated: false).Error);
    }

    [Theory]
    [InlineData("", "ERR Protocol error: too big inline request")]
    [InlineData("*", "ERR Protocol error: too big mbulk count string")]
    [InlineData("*1\r\n$", "ERR Protocol error: too big bulk count string")]
    public void LineWithoutEnd_IsRefusedAfter64KiB(string prefix, string error)
    {
        var flood = Ascii(prefix).Concat(Enumerable.Repeat((byte)'1', 70 * 1024)).ToArray();

        var early = Parse(Chunk(flood[..(60 * 1024)], [1000]));
        var late = Parse(Chunk(flood, [1000]));

        Assert.Null(early.Error);
        Assert.Equal(error, late.Error);
    }
}
