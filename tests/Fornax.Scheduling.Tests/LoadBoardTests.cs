using Microsoft.Extensions.Time.Testing;

namespace Fornax.Scheduling.Tests;

public sealed class LoadBoardTests
{
    private static readonly SiteLoad Idle = new(4, 0, 0, 0, 0, false, new Dictionary<string, FunctionLoad>());

    [Fact]
    public void Fresh_AgeAddsUpAlongTheWay_StaleIsNotFresh()
    {
        var time = new FakeTimeProvider();
        var board = new LoadBoard(new SchedulingOptions { StaleAfter = TimeSpan.FromSeconds(10), TimeProvider = time });
        board.Put("a/r/e2", Idle, TimeSpan.FromSeconds(4));

        time.Advance(TimeSpan.FromSeconds(5));
        var fresh = board.Fresh("a/r/e2");
        var age = board.Get("a/r/e2")!.Value.Age;
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Same(Idle, fresh);
        Assert.Equal(TimeSpan.FromSeconds(9), age);
        Assert.Null(board.Fresh("a/r/e2"));
        Assert.Empty(board.FreshSites());
        Assert.Null(board.Fresh("a/r/unknown"));
    }

    [Fact]
    public void Forwarding_CountsUntilDisposed_Once()
    {
        var board = new LoadBoard(new SchedulingOptions());
        var first = board.Forwarding("a/r/e2");
        using var second = board.Forwarding("a/r/e2");

        var both = board.Outstanding("a/r/e2");
        first.Dispose();
        first.Dispose();

        Assert.Equal(2, both);
        Assert.Equal(1, board.Outstanding("a/r/e2"));
    }

    [Fact]
    public void Unreported_OnlyForwardsSentAfterTheFiguresWereMeasured()
    {
        var time = new FakeTimeProvider();
        var board = new LoadBoard(new SchedulingOptions { TimeProvider = time });
        using var early = board.Forwarding("a/r/e2");
        time.Advance(TimeSpan.FromSeconds(1));
        using var middle = board.Forwarding("a/r/e2");
        var unknownFigures = board.Unreported("a/r/e2");

        // Figures measured 1.5 s ago (half a second after the early forward) arrive now: they include it, not the middle one.
        time.Advance(TimeSpan.FromSeconds(1));
        board.Put("a/r/e2", Idle, TimeSpan.FromSeconds(1.5));
        using var late = board.Forwarding("a/r/e2");
        var afterFigures = board.Unreported("a/r/e2");
        middle.Dispose();

        Assert.Equal(2, unknownFigures);
        Assert.Equal(2, afterFigures);
        Assert.Equal(1, board.Unreported("a/r/e2"));
        Assert.Equal(2, board.Outstanding("a/r/e2"));
        Assert.Equal(0, board.Unreported("a/r/other"));
    }
}
