namespace Fornax.Testing.Tests;

public sealed class PollTests
{
    [Fact]
    public async Task UntilAsync_ConditionBecomesTrue_Returns()
    {
        var asked = 0;
        await Poll.UntilAsync(() => ++asked == 3, "the third question");
        Assert.Equal(3, asked);
    }

    [Fact]
    public async Task UntilAsync_ConditionNeverHolds_ThrowsNamingWhatWasAwaitedAndWhatWasSeen()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Poll.UntilAsync(() => false, "the moon to turn blue", TimeSpan.FromMilliseconds(50), () => "grey"));
        Assert.Equal("timed out after 0.05 s waiting for the moon to turn blue; last seen: grey", error.Message);
    }

    [Fact]
    public async Task ForAsync_ProbeAnswersLater_ReturnsTheAnswer()
    {
        var asked = 0;
        var answer = await Poll.ForAsync(() => Task.FromResult(++asked < 3 ? null : "found"), "an answer");
        Assert.Equal("found", answer);
    }
}
