using System.Buffers;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Tests.Resp;

/// <summary>What the parser made of an input: the commands it read, and the protocol error that stopped it, if any.</summary>
internal sealed record ParseOutcome(List<byte[][]> Commands, string? Error, long Unconsumed);

/// <summary>
/// Feeds the parser as a pipe would: each chunk arrives as a new segment after what was not consumed yet, so commands
/// and headers split anywhere, and across segments, are exercised.
/// </summary>
internal static class ParserHarness
{
    public static ParseOutcome Parse(IEnumerable<byte[]> chunks, long maxBulk = 512L * 1024 * 1024, bool authenticated = true, int maxArguments = 1024 * 1024)
    {
        var parser = new RespRequestParser(maxBulk, maxArguments);
        var commands = new List<byte[][]>();
        var pending = new List<byte[]>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var sequence = Segments.Of(pending);
            var reader = new SequenceReader<byte>(sequence);
            while (true)
            {
                var status = parser.TryParse(ref reader, authenticated);
                if (status == RespParseStatus.Error)
                {
                    return new ParseOutcome(commands, parser.Error, reader.Remaining);
                }

                if (status == RespParseStatus.Incomplete)
                {
                    break;
                }

                var args = parser.Args;
                commands.Add([.. Enumerable.Range(0, args.Count).Select(args.Copy)]);
            }

            var rest = sequence.Slice(reader.Position).ToArray();
            pending.Clear();
            if (rest.Length > 0)
            {
                pending.Add(rest);
            }
        }

        return new ParseOutcome(commands, null, pending.Sum(p => (long)p.Length));
    }

    /// <summary>Cuts <paramref name="bytes"/> at the given sizes (cycled), the last piece taking what is left.</summary>
    public static IEnumerable<byte[]> Chunk(byte[] bytes, IReadOnlyList<int> sizes)
    {
        var offset = 0;
        for (var i = 0; offset < bytes.Length; i++)
        {
            var size = Math.Max(1, Math.Min(sizes.Count == 0 ? bytes.Length : sizes[i % sizes.Count], bytes.Length - offset));
            yield return bytes[offset..(offset + size)];
            offset += size;
        }
    }

    public static byte[] Encode(IEnumerable<byte[][]> commands)
    {
        var output = new MemoryStream();
        foreach (var command in commands)
        {
            output.Write(System.Text.Encoding.ASCII.GetBytes($"*{command.Length}\r\n"));
            foreach (var arg in command)
            {
                output.Write(System.Text.Encoding.ASCII.GetBytes($"${arg.Length}\r\n"));
                output.Write(arg);
                output.Write("\r\n"u8);
            }
        }

        return output.ToArray();
    }

    public static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(List<byte[]> parts)
        {
            if (parts.Count == 1)
            {
                return new ReadOnlySequence<byte>(parts[0]);
            }

            var first = new Segments(parts[0], 0);
            var last = first;
            foreach (var part in parts.Skip(1))
            {
                var next = new Segments(part, last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
