using System.Buffers;
using System.Text;
using CsCheck;
using Fornax.Functions.Wagi;

namespace Fornax.Functions.Tests;

public sealed class CgiResponseParserTests
{
    [Theory]
    [InlineData("Content-Type: text/html\n\n<p>hi</p>", 200, "text/html", "<p>hi</p>")]
    [InlineData("Content-Type: text/html\r\nStatus: 201 Created\r\n\r\nmade", 201, "text/html", "made")]
    [InlineData("status: 404\ncontent-type: a/b\n\n", 404, "a/b", "")]
    [InlineData("X-A: 1\n\nbody", 200, "text/plain; charset=utf-8", "body")]
    [InlineData("no header here\n\nbody", 200, "text/plain; charset=utf-8", "no header here\n\nbody")]
    [InlineData("", 200, "text/plain; charset=utf-8", "")]
    [InlineData("\nbody", 200, "text/plain; charset=utf-8", "body")]
    [InlineData("Content-Type: a/b\n", 200, "a/b", "")]
    [InlineData("Content-Type: a/b", 200, "a/b", "")]
    [InlineData("Bad Header: x\n\nbody", 200, "text/plain; charset=utf-8", "Bad Header: x\n\nbody")]
    public void Parse_Output_ReturnsStatusContentTypeAndBody(string output, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(output);

        var response = CgiResponseParser.Parse(new ReadOnlySequence<byte>(bytes));

        Assert.Null(response.Error);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(contentType, response.Headers.Single(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value);
        Assert.Equal(body, Encoding.UTF8.GetString(bytes.AsSpan((int)response.BodyOffset)));
    }

    [Theory]
    [InlineData("Status: abc\n\n")]
    [InlineData("Status: 20\n\n")]
    [InlineData("Status: 2000\n\n")]
    public void Parse_InvalidStatus_ReturnsError(string output)
    {
        var response = CgiResponseParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(output)));

        Assert.Equal(502, response.StatusCode);
        Assert.StartsWith("invalid CGI Status header", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RandomChunking_MatchesContiguousParse()
    {
        var headerName = Gen.String[Gen.Char["abcXYZ-_"], 1, 8];
        var headerValue = Gen.String[Gen.Char["abc 123/;=:"], 0, 12];
        var header = Gen.OneOf(
            Gen.Select(headerName, headerValue, (n, v) => $"{n}: {v}"),
            Gen.Int[100, 599].Select(s => $"Status: {s} Reason"),
            Gen.Const("not a header"));
        var output = Gen.Select(header.Array[0, 5], Gen.Bool, Gen.String[0, 40], Gen.Bool,
            (hs, crlf, body, blank) => string.Join(crlf ? "\r\n" : "\n", hs) + (blank ? (crlf ? "\r\n\r\n" : "\n\n") : "") + body);

        Gen.Select(output, Gen.Int[1, 7]).Sample((text, chunk) =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var whole = CgiResponseParser.Parse(new ReadOnlySequence<byte>(bytes));

            var chunked = CgiResponseParser.Parse(Chunked(bytes, chunk));

            Assert.Equal(whole.StatusCode, chunked.StatusCode);
            Assert.Equal(whole.Error, chunked.Error);
            Assert.Equal(whole.BodyOffset, chunked.BodyOffset);
            Assert.Equal(whole.Headers, chunked.Headers);
        });
    }

    /// <summary>Splits <paramref name="data"/> into segments of <paramref name="chunkSize"/> bytes (dotNext's ToReadOnlySequence idea).</summary>
    internal static ReadOnlySequence<byte> Chunked(byte[] data, int chunkSize)
    {
        if (data.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        for (int i = 0; i < data.Length; i += chunkSize)
        {
            var memory = data.AsMemory(i, Math.Min(chunkSize, data.Length - i));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
