using Fornax.Scheduling.Locality;

namespace Fornax.Scheduling.Tests.Locality;

public sealed class SizeBookTests
{
    [Fact]
    public void Observe_FirstThenMore_AveragesWithTheWeight()
    {
        var book = new SizeBook(new LocalityOptions { SizeWeight = 0.5 });
        Assert.Null(book.Get("f"));

        book.Observe("f", responseBytes: 100, reads: 1, readBytes: 1000);
        Assert.Equal(new FunctionSizes(100, 1, 1000), book.Get("f"));

        book.Observe("f", responseBytes: 300, reads: 3, readBytes: 9000);
        Assert.Equal(new FunctionSizes(200, 2, 5000), book.Get("f"));
        Assert.Null(book.Get("g"));
    }
}
