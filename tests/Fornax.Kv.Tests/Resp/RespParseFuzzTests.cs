using CsCheck;
using static Fornax.Kv.Tests.Resp.ParserHarness;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// Random and mutated RESP, bounded in time. Whatever it finds is kept as a byte array in
/// <see cref="RespParseFuzzRegressionTests"/>. The properties: the parser never throws, an error is always one of
/// Redis' protocol errors, and how the input is chunked never changes what is parsed.
/// </summary>
public sealed class RespParseFuzzTests
{
    private static readonly Gen<byte[]> Valid = Gen.OneOf(Gen.Byte.Array[0, 20], Gen.Const("\r\n"u8.ToArray())).Array[1, 4].Array[1, 4].Select(Encode);

    /// <summary>A valid pipeline with a few bytes flipped, dropped, duplicated or inserted (RESP's own bytes favoured).</summary>
    private static readonly Gen<byte[]> Mutated = Gen.Select(Valid, Gen.Int[0, 1000].Array[1, 4], Gen.OneOf(Gen.Byte, Gen.Int[0, 6].Select(i => "*$\r\n-0\""u8[i])), Gen.Int[0, 3])
        .Select((bytes, positions, value, kind) =>
        {
            var list = bytes.ToList();
            foreach (var p in positions)
            {
                var at = p % (list.Count + 1);
                switch (kind)
                {
                    case 0 when at < list.Count: list[at] = value; break;
                    case 1 when at < list.Count: list.RemoveAt(at); break;
                    case 2 when at < list.Count: list.InsertRange(at, list.Skip(at).Take(8).ToList()); break;
                    default: list.Insert(at, value); break;
                }
            }

            return list.ToArray();
        });

    private static readonly Gen<byte[]> Input = Gen.Frequency((3, Mutated), (1, Gen.Byte.Array[0, 200]), (1, Valid));

    /// <summary>Five seconds in CI; set FORNAX_FUZZ_SECONDS for a longer hunt.</summary>
    internal static int FuzzSeconds => int.TryParse(Environment.GetEnvironmentVariable("FORNAX_FUZZ_SECONDS"), out var s) ? s : 5;

    [Fact]
    public void RandomAndMutatedInput_NeverThrows_AndChunkingNeverChangesTheOutcome()
    {
        Gen.Select(Input, Gen.Int[1, 16].Array[1, 6], Gen.Bool).Sample((input, sizes, authenticated) =>
        {
            var whole = Parse([input], maxBulk: 4096, authenticated: authenticated, maxArguments: 64);
            var chunked = Parse(Chunk(input, sizes), maxBulk: 4096, authenticated: authenticated, maxArguments: 64);

            Assert.True(whole.Error is null || whole.Error.StartsWith("ERR Protocol error: ", StringComparison.Ordinal), whole.Error);
            Assert.Equal(whole.Error, chunked.Error);
            Assert.Equal(whole.Commands.Count, chunked.Commands.Count);
            for (var i = 0; i < whole.Commands.Count; i++)
            {
                Assert.NotEmpty(whole.Commands[i]);
                Assert.Equal(whole.Commands[i], chunked.Commands[i]);
            }
        }, time: FuzzSeconds, print: t => Convert.ToBase64String(t.Item1));
    }
}
