using System.Text;
using Fornax.Functions.Wasi;

namespace Fornax.Functions.Tests;

public sealed class StringBlockTests
{
    [Fact]
    public void OfVariables_LaysOutNulTerminatedUtf8WithOffsets()
    {
        var block = StringBlock.OfVariables([("A", "1"), ("EMPTY", ""), ("NAME", "Zoë")]);

        Assert.Equal("A=1\0EMPTY=\0NAME=Zo\u00eb\0", Encoding.UTF8.GetString(block.Bytes));
        Assert.Equal([0, 4, 11], block.Offsets.ToArray());
        Assert.Equal(["A=1", "EMPTY=", "NAME=Zoë"], block.Strings());
    }

    [Fact]
    public void Of_NoStrings_IsEmpty()
    {
        var block = StringBlock.Of();

        Assert.Equal((0, 0), (block.Count, block.Bytes.Length));
    }
}
